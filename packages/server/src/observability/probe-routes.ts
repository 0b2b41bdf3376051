/**
 * The unauthenticated probes and the metrics endpoint (SPEC §8), as a plugin for
 * `createHttpApp(context, { extraRoutes })`, hidden from the OpenAPI document:
 *
 * - `GET /healthz`: liveness — the process answers. It checks nothing else, so that an outage of
 *   the database never gets healthy processes restarted.
 * - `GET /readyz`: readiness — the database, the lock and the messaging channels, each under a
 *   timeout (default 2 s). The channels are the tenants' own: some of them down is `degraded`,
 *   all of them down is `down`. 200 when no check is `down`, 503 otherwise, with every check's status
 *   and a short detail. `degraded` counts as ready: the `PortHealth` contract defines it as
 *   "working with problems". The details are error codes and masked, shortened messages — no
 *   connection strings, no credentials. The tenants' integrations are reported too (`integrations`:
 *   how many are down or degraded, by kind and provider, no tenant named), at worst `degraded`:
 *   they never make the process not ready.
 * - `GET /metrics`: the Prometheus text format of `metrics.render()`.
 */
import { ValidationError, classifyError, systemClock, type Clock, type PortHealth } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from './metrics.js';

/** The dependencies `/readyz` checks; each resolves when up and throws (or reports `down`) otherwise. */
export interface ReadinessChecks {
  readonly database: () => Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- resolving nothing means up, so a plain `async () => { … }` check fits
  readonly lock: () => Promise<PortHealth | void>;
  readonly channels: () => Promise<readonly PortHealth[]>;
  /**
   * The tenants' configured integrations and their last health checks (optional). Reported, never
   * a reason to be not ready: one tenant's broken CRM must not take the server out of a load
   * balancer, where every other tenant is served.
   */
  readonly integrations?: () => Promise<readonly IntegrationReadiness[]>;
}

/** One configured integration, as `/readyz` counts it (no tenant named: the probe is public). */
export interface IntegrationReadiness {
  readonly kind: string;
  readonly provider: string;
  /** `null`: not checked since it was configured. */
  readonly status: PortHealth['status'] | null;
}

/** Options of `createProbeRoutes`. */
export interface ProbeRoutesOptions {
  readonly metrics: Pick<Metrics, 'render' | 'contentType'>;
  readonly readiness: ReadinessChecks;
  /** Per check (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Times the checks out (default: the system clock). */
  readonly clock?: Clock;
}

/** One check's answer in `/readyz`. */
export interface ReadinessCheckResult {
  readonly status: PortHealth['status'];
  readonly detail?: string;
}

const maxDetailLength = 200;

/** Shortens a detail and removes credentials of URLs (`postgres://user:secret@host`). */
function shortDetail(text: string): string {
  const cleaned = text
    .replace(/\/\/[^\s/@]+@/g, '//***@')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > maxDetailLength ? `${cleaned.slice(0, maxDetailLength - 1)}…` : cleaned;
}

// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- takes what a `lock` check resolves (see `ReadinessChecks`)
function fromHealth(health: PortHealth | void): ReadinessCheckResult {
  if (health === undefined) return { status: 'up' };
  return { status: health.status, ...(health.detail === undefined ? {} : { detail: shortDetail(health.detail) }) };
}

function fromChannels(healths: readonly PortHealth[]): ReadinessCheckResult & { readonly instances: number } {
  const troubled = healths.filter((health) => health.status !== 'up');
  // Each tenant has channels of its own: one tenant's channel down degrades the server, and only
  // when no tenant can send is the process not ready.
  const worst: PortHealth['status'] =
    healths.length > 0 && healths.every((health) => health.status === 'down') ? 'down' : troubled.length > 0 ? 'degraded' : 'up';
  const details = troubled.map((health) => `${health.status}${health.detail === undefined ? '' : `: ${health.detail}`}`);
  return {
    status: worst,
    instances: healths.length,
    ...(troubled.length === 0
      ? {}
      : { detail: shortDetail(`${troubled.length} of ${healths.length} channel instance(s) ${details.join('; ')}`) }),
  };
}

function fromIntegrations(integrations: readonly IntegrationReadiness[]): ReadinessCheckResult & { readonly configured: number } {
  const troubled = new Map<string, number>();
  for (const integration of integrations) {
    if (integration.status !== 'down' && integration.status !== 'degraded') continue;
    const key = `${integration.kind}/${integration.provider} ${integration.status}`;
    troubled.set(key, (troubled.get(key) ?? 0) + 1);
  }
  const count = [...troubled.values()].reduce((sum, n) => sum + n, 0);
  return {
    // At worst degraded: the tenants' vendors are not this process's dependencies.
    status: count === 0 ? 'up' : 'degraded',
    configured: integrations.length,
    ...(count === 0
      ? {}
      : {
          detail: shortDetail(
            `${count} of ${integrations.length} integration(s) not up: ${[...troubled].map(([key, n]) => `${key}: ${n}`).join(', ')}`,
          ),
        }),
  };
}

/** Runs `check` under `timeoutMs`; a failure or a timeout is `down`. */
async function runCheck<T extends ReadinessCheckResult>(input: {
  readonly check: () => Promise<T>;
  readonly timeoutMs: number;
  readonly clock: Clock;
}): Promise<ReadinessCheckResult> {
  const controller = new AbortController();
  const timedOut = input.clock
    .sleep(input.timeoutMs, controller.signal)
    .then((): ReadinessCheckResult => ({ status: 'down', detail: `no answer within ${input.timeoutMs} ms` }));
  // The timer is aborted once the check answers: its rejection is expected.
  timedOut.catch(() => undefined);
  const answered = Promise.resolve()
    .then(input.check)
    .catch((error: unknown): ReadinessCheckResult => {
      const { code, message } = classifyError(error);
      return { status: 'down', detail: shortDetail(`${code}: ${message}`) };
    });
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    controller.abort();
  }
}

/** The probes plugin; see the module comment. */
export function createProbeRoutes(options: ProbeRoutesOptions): FastifyPluginAsync {
  const { metrics, readiness } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)
    throw ValidationError.forField('timeoutMs', 'must be a positive whole number of milliseconds');
  const clock = options.clock ?? systemClock;
  const hidden = { schema: { hide: true } } as const;

  return (app) => {
    app.get('/healthz', hidden, async (_request, reply) => {
      return reply.header('cache-control', 'no-store').send({ status: 'ok' });
    });
    app.get('/readyz', hidden, async (_request, reply) => {
      const [database, lock, channels] = await Promise.all([
        runCheck({
          check: async () => {
            await readiness.database();
            return fromHealth(undefined);
          },
          timeoutMs,
          clock,
        }),
        runCheck({ check: async () => fromHealth(await readiness.lock()), timeoutMs, clock }),
        runCheck({ check: async () => fromChannels(await readiness.channels()), timeoutMs, clock }),
      ]);
      const ready = [database, lock, channels].every((check) => check.status !== 'down');
      const reportIntegrations = readiness.integrations;
      const integrations =
        reportIntegrations === undefined
          ? undefined
          : await runCheck({ check: async () => fromIntegrations(await reportIntegrations()), timeoutMs, clock }).then(
              // A failure to read them is reported, and still not a reason to be not ready.
              (result): ReadinessCheckResult => (result.status === 'down' ? { ...result, status: 'degraded' } : result),
            );
      return reply
        .code(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({
          status: ready ? 'ready' : 'not_ready',
          checks: { database, lock, channels, ...(integrations === undefined ? {} : { integrations }) },
        });
    });
    app.get('/metrics', hidden, async (_request, reply) => {
      const text = await metrics.render();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    });
    return Promise.resolve();
  };
}
