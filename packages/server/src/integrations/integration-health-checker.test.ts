import { VirtualClock, noopLogger, type PluginKind, type PortHealth } from '@sdr/core';
import { createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import type { IntegrationResource } from './integration-service.js';
import { createIntegrationHealthChecker } from './integration-health-checker.js';
import type { KnownIntegration } from './integration-view.js';

const minute = 60_000;

function world(options: { readonly tenants: number; readonly concurrency: number; readonly random?: () => number }) {
  const clock = new VirtualClock(new Date('2026-03-02T12:00:00Z'));
  const lock = createInMemoryLock({ clock });
  const healths = new Map<string, PortHealth>();
  const integrations: KnownIntegration[] = [];
  for (let index = 0; index < options.tenants; index += 1) {
    for (const kind of ['crm', 'whatsapp', 'model'] as const) {
      integrations.push({ tenantId: `t${String(index)}`, kind, provider: 'acme', config: {}, version: 1, updatedAt: clock.now() });
    }
  }
  let running = 0;
  let mostAtOnce = 0;
  const checked: string[] = [];
  const checker = createIntegrationHealthChecker({
    view: {
      configured: () =>
        integrations.map((integration) => ({ ...integration, health: healths.get(`${integration.tenantId}/${integration.kind}`) ?? null })),
    },
    integrations: {
      async check(tenantId, kind): Promise<IntegrationResource> {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        checked.push(`${tenantId}/${kind}`);
        const health: PortHealth = { status: 'up', checkedAt: clock.now() };
        healths.set(`${tenantId}/${kind}`, health);
        return { kind: kind as PluginKind, provider: 'acme', configured: true, config: {}, version: 1, updatedAt: null, health };
      },
    },
    lock,
    clock,
    logger: noopLogger,
    intervalMs: 10 * minute,
    concurrency: options.concurrency,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return { clock, lock, checker, checked, mostAtOnce: () => mostAtOnce };
}

describe('the periodic integration health checks', () => {
  it('check every configured integration the server serves, never more than `concurrency` at once', async () => {
    const { checker, checked, mostAtOnce } = world({ tenants: 10, concurrency: 3 });
    expect(await checker.runOnce()).toEqual({ checked: 20, skipped: 0, failed: 0 });
    // The model kind has no port this server checks.
    expect(checked.filter((slot) => slot.endsWith('/model'))).toEqual([]);
    expect(mostAtOnce()).toBe(3);
    // Nothing is due right after.
    expect((await checker.runOnce()).checked).toBe(0);
    expect(checker.passIntervalMs).toBe(5_000);
  });

  it('spread the next checks over ±20 % of the interval (jitter)', async () => {
    const draws = [0, 0.99];
    let next = 0;
    const { checker, clock, checked } = world({ tenants: 1, concurrency: 1, random: () => draws[next++ % 2] ?? 0 });
    await checker.runOnce();
    checked.length = 0;
    // 8 minutes later: only the integration whose factor was drawn 0.8 is due.
    await clock.advance(8 * minute);
    expect((await checker.runOnce()).checked).toBe(1);
    expect(checked).toEqual(['t0/crm']);
    // At 12 minutes (factor 1.196 of 10 minutes) the other one is due too.
    await clock.advance(4 * minute);
    expect((await checker.runOnce()).checked).toBeGreaterThanOrEqual(1);
    expect(checked).toContain('t0/whatsapp');
  });

  it('skip an integration another process is checking (its lock is held)', async () => {
    const { checker, lock } = world({ tenants: 1, concurrency: 2 });
    const held = await lock.acquire('integration-health:t0:crm', { ttlMs: minute });
    expect(held).not.toBeNull();
    expect(await checker.runOnce()).toEqual({ checked: 1, skipped: 1, failed: 0 });
  });
});
