/**
 * The periodic health check of every tenant's configured integrations, so that their health
 * (channel gating, `/readyz`, `GET /v1/integrations`, `sdr_integration_up`) does not wait for
 * someone to call `POST /v1/integrations/{kind}/check`.
 *
 * A pass looks at every configured integration of a kind the server serves (CRM, calendar,
 * WhatsApp) and checks those that are due: never checked since their last change, or checked
 * longer ago than the interval, stretched or shrunk by up to ±20 % per integration (jitter, so
 * that the checks of many tenants spread out rather than arriving at a vendor together). At most
 * `concurrency` checks run at once. Each check runs under a lock of its own, so that several
 * processes running passes check an integration once; a process that finds it held skips it.
 * The result is stored by the integration service's `check`, like a check asked through the API.
 */
import { classifyError, pluginKinds, type Clock, type LockPort, type Logger, type PluginKind } from '@sdr/core';
import type { IntegrationService } from './integration-service.js';
import type { IntegrationView } from './integration-view.js';

/** The kinds whose ports the server resolves (and so can check). */
export const checkedKinds: readonly PluginKind[] = pluginKinds.filter(
  (kind) => kind === 'crm' || kind === 'calendar' || kind === 'whatsapp',
);

/** Options of `createIntegrationHealthChecker`. */
export interface IntegrationHealthCheckerOptions {
  readonly view: Pick<IntegrationView, 'configured'>;
  readonly integrations: Pick<IntegrationService, 'check'>;
  readonly lock: LockPort;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly concurrency: number;
  /** In [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** What one pass did. */
export interface HealthPassResult {
  readonly checked: number;
  /** Checked by another process at the same moment (its lock was held). */
  readonly skipped: number;
  readonly failed: number;
}

/** Runs passes (see the module comment). */
export interface IntegrationHealthChecker {
  runOnce(signal?: AbortSignal): Promise<HealthPassResult>;
  /**
   * How often to run passes: a quarter of the interval, at most 5 s — a pass only reads this
   * process's view, and a new configuration is checked within that time.
   */
  readonly passIntervalMs: number;
}

/** Creates the checker. */
export function createIntegrationHealthChecker(options: IntegrationHealthCheckerOptions): IntegrationHealthChecker {
  const { view, integrations, lock, clock, logger, intervalMs } = options;
  const random = options.random ?? Math.random;
  // A stable factor per integration and interval: the same integration is due at the same stretch within a pass.
  const factors = new Map<string, number>();
  const factorOf = (slot: string) => {
    let factor = factors.get(slot);
    if (factor === undefined) {
      factor = 0.8 + 0.4 * random();
      factors.set(slot, factor);
    }
    return factor;
  };

  return {
    passIntervalMs: Math.min(5_000, Math.max(1_000, Math.floor(intervalMs / 4))),
    async runOnce(signal) {
      const now = clock.now().getTime();
      const due: { tenantId: string; kind: PluginKind }[] = [];
      for (const integration of view.configured()) {
        if (!checkedKinds.includes(integration.kind)) continue;
        const slot = `${integration.tenantId}\u0000${integration.kind}`;
        const checkedAt = integration.health?.checkedAt.getTime();
        if (checkedAt === undefined || now - checkedAt >= intervalMs * factorOf(slot)) {
          due.push({ tenantId: integration.tenantId, kind: integration.kind });
        }
      }
      let checked = 0;
      let skipped = 0;
      let failed = 0;
      const queue = [...due];
      const worker = async () => {
        for (let next = queue.shift(); next !== undefined && signal?.aborted !== true; next = queue.shift()) {
          const { tenantId, kind } = next;
          const slot = `${tenantId}\u0000${kind}`;
          try {
            const lease = await lock.acquire(`integration-health:${tenantId}:${kind}`, { ttlMs: 60_000 });
            if (lease === null) {
              skipped += 1;
              continue;
            }
            try {
              const result = await integrations.check(tenantId, kind);
              checked += 1;
              if (result.health?.status === 'down')
                logger.warn({ tenantId, kind, provider: result.provider, detail: result.health.detail }, 'integration is down');
            } finally {
              await lock.release(lease).catch(() => undefined);
            }
            // A new draw for the next interval.
            factors.delete(slot);
          } catch (error) {
            failed += 1;
            logger.error({ tenantId, kind, error: classifyError(error).message }, 'integration health check could not run');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
      return { checked, skipped, failed };
    },
  };
}
