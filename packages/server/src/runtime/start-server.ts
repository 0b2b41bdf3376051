/**
 * Starts the server as its role asks: opens and migrates the database, composes the ports and
 * services, serves the REST API (roles `api` and `all`) with the sandbox and probe routes,
 * seeds the demo tenant, and runs the workers (roles `worker` and `all`; a `worker` serves its
 * probes and metrics on a listener of its own). `stop` is the
 * graceful shutdown: stop accepting requests and claims, let in-flight requests and sends
 * finish within the deadline, release claims and heartbeats, close Redis and the database.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AnyAdapterPlugin, Logger } from '@sdr/core';
import {
  createAgentRoutes,
  createAgentSettingsRoutes,
  createPostgresTurnStore,
  startServerAgent,
  type ServerAgent,
} from '../agent/index.js';
import {
  createConsoleApiRoutes,
  createConsoleStaticRoutes,
  createDomainEventFeed,
  createEventStreamRoutes,
  findConsoleAssets,
} from '../console/index.js';
import { createMediaRoutes } from '../blob/index.js';
import { createGoogleCalendarWebhookRoutes } from '../google-calendar/index.js';
import { createHttpApp } from '../http/index.js';
import { createIntegrationRoutes } from '../integrations/integration-routes.js';
import { createOAuthCallbackRoutes } from '../integrations/oauth-callback-route.js';
import { createProbeRoutes, httpMetricsPlugin } from '../observability/index.js';
import { createSandboxRoutes } from '../sandbox/index.js';
import { composeServer, type Composition } from './compose.js';
import type { ServerConfig } from './config.js';
import { ensureDemoTenant, type DemoTenant } from './demo-tenant.js';
import { openServerDatabase, type OpenedDatabase } from './open-database.js';
import { openRedis } from './open-redis.js';
import { readinessChecksFor, startWorkerProbes, type WorkerProbes } from './probes.js';
import { errorCodeOf, startupError } from './startup-errors.js';
import { startWorkers, type RunningWorkers } from './workers.js';
import { createWebhookRoutes } from '../webhooks/index.js';
import { createAlertChannelRoutes } from '../alerts-notify/alert-channel-routes.js';
import { createVoiceRoutes, ensureDemoVoice } from '../voice/index.js';

/** A started server. */
export interface RunningServer {
  readonly config: ServerConfig;
  /** The base URL the API listens on (`null` for role `worker`). */
  readonly url: string | null;
  readonly database: OpenedDatabase;
  readonly composition: Composition;
  /** The demo tenant, when seeding is on and this process serves the API. */
  readonly demo: DemoTenant | null;
  readonly app: FastifyInstance | null;
  /** Where a `worker` process serves `/healthz`, `/readyz` and `/metrics` (`null` for roles `api` and `all`, whose API serves them). */
  readonly probesUrl: string | null;
  /** The built console this process serves at `/console/` (`null`: not built, or role `worker`). */
  readonly consoleAssets: string | null;
  readonly workers: RunningWorkers | null;
  /** The built-in agent, answering `message.received` in this process. */
  readonly agent: ServerAgent | null;
  /** Graceful shutdown; calling it again returns the same promise. */
  stop(): Promise<void>;
}

/** Starts everything `config.role` asks for. */
export async function startServer(input: {
  readonly config: ServerConfig;
  readonly logger: Logger;
  /** The pino logger the HTTP layer logs requests through (default: none). */
  readonly httpLogger?: FastifyBaseLogger;
  /** Plugins beyond those the server ships, e.g. a third party's CRM. */
  readonly plugins?: readonly AnyAdapterPlugin[];
}): Promise<RunningServer> {
  const { config, logger } = input;
  // Redis is checked first: an unreachable one is told in a moment, not after the database's start.
  if (config.redisUrl !== null) await (await openRedis(config.redisUrl, logger)).quit();
  const database = await openServerDatabase(config.database);
  let composition: Composition | null = null;
  let app: FastifyInstance | null = null;
  let workers: RunningWorkers | null = null;
  let agent: ServerAgent | null = null;
  let probes: WorkerProbes | null = null;
  try {
    composition = await composeServer({ config, database, logger, ...(input.plugins === undefined ? {} : { plugins: input.plugins }) });
    agent = startServerAgent({
      context: composition.context,
      messaging: composition.ports.messagingFor,
      config: config.agent,
      logger,
      modelFor: composition.modelFor,
      settingsFor: composition.agentSettings.settingsFor,
      turns: createPostgresTurnStore({ db: database.database }),
    });
    const serves = config.role !== 'worker';
    const demo =
      serves && config.seedDemo
        ? await ensureDemoTenant({
            database: database.database,
            store: composition.context.store,
            clock: composition.clock,
            alwaysOpen: config.demoAlwaysOpen,
          })
        : null;
    // The demo tenant's offline phone line (`sdr call`).
    if (demo !== null)
      await ensureDemoVoice({ composition, tenantId: demo.tenant.id, publicBaseUrl: config.publicBaseUrl, dataDir: config.dataDir });
    let url: string | null = null;
    const consoleAssets = serves ? findConsoleAssets() : null;
    if (serves) {
      app = await buildApp({ composition, database, consoleAssets, agent, loggerInstance: input.httpLogger });
      url = await listen(app, config);
    }
    if (config.role === 'worker') probes = await startWorkerProbes({ composition, database, config });
    if (config.role !== 'api') workers = startWorkers({ composition, config, logger });
    let stopping: Promise<void> | null = null;
    const running: RunningServer = {
      config,
      url,
      database,
      composition,
      demo,
      app,
      probesUrl: probes?.url ?? null,
      consoleAssets,
      workers,
      agent,
      stop() {
        stopping ??= shutdown({
          app: running.app,
          probes: probes?.app ?? null,
          workers: running.workers,
          agent,
          composition: running.composition,
          database,
          config,
          logger,
        });
        return stopping;
      },
    };
    return running;
  } catch (error) {
    await shutdown({ app, probes: probes?.app ?? null, workers, agent, composition, database, config, logger }).catch(() => undefined);
    throw error;
  }
}

/** Listens on `HOST`:`PORT`; a failure names the variable at fault (the port for one in use or refused). */
async function listen(app: FastifyInstance, config: ServerConfig): Promise<string> {
  try {
    return await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = errorCodeOf(error);
    const variable = code === 'EADDRINUSE' || code === 'EACCES' ? 'PORT' : 'HOST';
    throw startupError({ variable, failed: `cannot listen on ${config.host}:${config.port}`, cause: error });
  }
}

async function buildApp(input: {
  readonly composition: Composition;
  readonly database: OpenedDatabase;
  readonly consoleAssets: string | null;
  readonly agent: ServerAgent;
  readonly loggerInstance: FastifyBaseLogger | undefined;
}): Promise<FastifyInstance> {
  const { composition, database, loggerInstance } = input;
  const { context, ports, clock, metrics, heartbeats } = composition;
  const sandbox = createSandboxRoutes({
    context,
    sandbox: { sandboxFor: ports.sandboxFor, clock },
  });
  const probes = createProbeRoutes({ metrics, readiness: readinessChecksFor(composition, database) });
  return createHttpApp(context, {
    extraRoutes: [
      httpMetricsPlugin(metrics),
      sandbox,
      createIntegrationRoutes({ integrations: composition.integrations, oauth: composition.oauth, plugins: composition.plugins }),
      createOAuthCallbackRoutes({ oauth: composition.oauth, logger: context.logger }),
      probes,
      composition.evolution.routes,
      composition.kommo.routes,
      createGoogleCalendarWebhookRoutes({ sync: composition.googleCalendar, logger: composition.context.logger }),
      createVoiceRoutes({ composition, settingsFor: composition.agentSettings.settingsFor }),
      createMediaRoutes({ blobs: composition.blobs }),
      createConsoleApiRoutes({ store: context.store, clock, heartbeats }),
      createEventStreamRoutes({ feed: createDomainEventFeed(context.events) }),
      createConsoleStaticRoutes({ root: input.consoleAssets }),
      createAgentRoutes({ context, turns: input.agent.turns }),
      createAgentSettingsRoutes({ settings: composition.agentSettings }),
      createWebhookRoutes(context, composition.webhooks),
      createAlertChannelRoutes(context, composition.alertChannels),
    ],
    ...(loggerInstance === undefined ? {} : { loggerInstance }),
  });
}

async function shutdown(parts: {
  readonly app: FastifyInstance | null;
  readonly probes: FastifyInstance | null;
  readonly workers: RunningWorkers | null;
  readonly agent: ServerAgent | null;
  readonly composition: Composition | null;
  readonly database: OpenedDatabase;
  readonly config: ServerConfig;
  readonly logger: Logger;
}): Promise<void> {
  const { logger } = parts;
  logger.info({ deadlineMs: parts.config.shutdownDeadlineMs }, 'shutting down');
  // Requests already accepted finish; new connections are refused. Workers stop claiming at once.
  await Promise.all([parts.app?.close(), parts.workers?.stop(parts.config.shutdownDeadlineMs), parts.agent?.close()]);
  // A worker answers its probes until its work is stopped, then closes them before the database.
  await parts.probes?.close();
  await parts.composition?.close();
  await parts.database.close();
  logger.info({}, 'stopped');
}
