/**
 * Accessibility of every view, with data in it, checked by axe-core injected into the page (the
 * page's Content-Security-Policy is bypassed for this check only: axe is injected as an inline
 * script). No serious or critical violation is allowed.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from '../scripts/browser.js';
import { tourConsole, type TourView } from '../scripts/console-tour.js';
import { startSdrServe, type SdrServe } from '../scripts/sdr-serve.js';

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.map(String) })),
    }));
  });
  return (violations as Violation[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact ?? 'unknown'}: ${violation.id} (${violation.help}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

describe('accessibility (axe-core)', () => {
  let server: SdrServe;
  let launched: LaunchedBrowser;

  beforeAll(async () => {
    [server, launched] = await Promise.all([startSdrServe({ SDR_DISPATCH_POLL_MS: '200', SDR_DISPATCH_PACING_MS: '0' }), launchBrowser()]);
  });
  afterAll(async () => {
    await launched.close();
    await server.stop();
  });

  it('finds no serious or critical violation on any view, in Portuguese and in English', async () => {
    const context = await launched.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'pt-BR', bypassCSP: true });
    const page = await context.newPage();
    const found: Partial<Record<TourView, string[]>> = {};
    await tourConsole({
      page,
      url: server.url,
      key: server.demoKey,
      onView: async (view) => {
        found[view] = await seriousViolations(page);
      },
    });
    expect(Object.keys(found)).toHaveLength(7);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((view) => [view, []])));
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });
});
