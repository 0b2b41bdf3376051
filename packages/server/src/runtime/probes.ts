/**
 * The probes of a process: what `/readyz` checks (the same for every role), and the small HTTP
 * listener a `worker` process serves `/healthz`, `/readyz` and `/metrics` on (`SDR_WORKER_PORT`),
 * so that workers are scraped and health-checked like the API. The listener serves nothing else:
 * no API, no console, no webhooks.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createProbeRoutes, type ReadinessChecks } from '../observability/index.js';
import type { Composition } from './compose.js';
import type { ServerConfig } from './config.js';
import type { OpenedDatabase } from './open-database.js';
import { errorCodeOf, startupError } from './startup-errors.js';

/** The readiness checks of a process: the database, the lock, the tenants' channels, and their integrations (reported, never failing). */
export function readinessChecksFor(composition: Composition, database: OpenedDatabase): ReadinessChecks {
  const { context, ports } = composition;
  return {
    database: async () => {
      await database.database.query('readyz.database', 'SELECT 1');
    },
    // The lock answers when a probe key of this process can be taken and given back.
    lock: async () => {
      const lease = await context.lock.acquire(`readyz:${composition.processId}`, { ttlMs: 5_000 });
      if (lease === null) throw new Error('the readiness probe key is held');
      await context.lock.release(lease);
    },
    // The instances the tenants send through (the first page of tenants: a readiness probe stays cheap).
    channels: async () => {
      const tenants = await context.store.tenants.list({ limit: 100 });
      return Promise.all(tenants.items.map((tenant) => ports.messagingFor(tenant.id).health({ instance: tenant.messaging.instance })));
    },
    // Reported only (see the probe): a tenant's broken vendor never takes the server out of rotation.
    integrations: () => Promise.resolve(composition.integrationReadiness()),
  };
}

/** A worker's probe listener. */
export interface WorkerProbes {
  readonly app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
}

/** Serves the probes of a `worker` process on `HOST`:`SDR_WORKER_PORT`; a failure to listen names the variable. */
export async function startWorkerProbes(input: {
  readonly composition: Composition;
  readonly database: OpenedDatabase;
  readonly config: ServerConfig;
}): Promise<WorkerProbes> {
  const { composition, database, config } = input;
  const app = Fastify({ logger: false });
  await app.register(createProbeRoutes({ metrics: composition.metrics, readiness: readinessChecksFor(composition, database) }));
  try {
    const url = await app.listen({ host: config.host, port: config.workerPort });
    return { app, url };
  } catch (error) {
    await app.close();
    const code = errorCodeOf(error);
    const variable = code === 'EADDRINUSE' || code === 'EACCES' ? 'SDR_WORKER_PORT' : 'HOST';
    throw startupError({ variable, failed: `cannot listen on ${config.host}:${config.workerPort}`, cause: error });
  }
}
