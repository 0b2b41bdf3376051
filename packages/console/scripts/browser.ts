/**
 * Debian's Chromium driven by playwright-core (which downloads no browser of its own), launched
 * quiet for a machine without network: no background traffic, and a fresh empty profile per
 * launch (playwright's `launch` makes one in a temporary directory and removes it on close).
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Where the browser is (Debian's `chromium` package); `CHROMIUM_PATH` overrides it. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const quietFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A launched browser with its own profile. */
export interface LaunchedBrowser {
  readonly browser: Browser;
  /** A page context of a desktop size, in `locale`. */
  newContext(options?: { readonly locale?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Launches Chromium. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: quietFlags });
  return {
    browser,
    newContext: (options = {}) =>
      browser.newContext({ viewport: { width: 1440, height: 900 }, locale: options.locale ?? 'pt-BR', timezoneId: 'America/Sao_Paulo' }),
    close: () => browser.close(),
  };
}
