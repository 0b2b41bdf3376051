/**
 * The composition root: from a validated configuration and an open database, every port and
 * service of the server, wired once. Routes and workers receive what this builds and nothing
 * else; no business rule is written here.
 *
 * Adapters: this version of the server ships the **sandbox** adapters (channel, CRM board,
 * calendar and clock persisted in the server's schema), so it runs offline end to end. The lock
 * is the database's lease-row lock, or Redis when `REDIS_URL` is set; rate limits are shared
 * through Redis when it is configured and kept per process otherwise.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { evolutionPlugin } from '@sdr/adapter-evolution';
import { kommoPlugin } from '@sdr/adapter-kommo';
import { twilioVoicePlugin, type VoicePort } from '@sdr/adapter-twilio-voice';
import { openAiCompatibleModelPlugin, sandboxModelPlugin } from '@sdr/agent';
import { createRedisLock, createRedisRateLimiter } from '@sdr/adapter-redis';
import {
  createDomainEvents,
  type AnyAdapterPlugin,
  type BlobStore,
  type PluginDeps,
  type PluginKind,
  type CalendarPort,
  type CrmPort,
  type Logger,
  type LockPort,
  type MessagingPort,
  type RateLimiter,
  type Tenant,
} from '@sdr/core';
import { createInMemoryRateLimiter } from '@sdr/core/testing';
import { createPostgresLock, createPostgresStore } from '@sdr/store-postgres';
import { createFilesystemBlobStore, mediaLink } from '../blob/index.js';
import { createTenantModelResolver, type TenantModelResolver } from '../agent/model-resolver.js';
import type { ServerContext } from '../context.js';
import { createEvolutionIngest, environmentWebhookSettings, integrationWebhookSettings, type EvolutionIngest } from '../evolution/index.js';
import { sha256Hex } from '../http/index.js';
import { createKommoIngest, kommoWebhookUrl, type KommoIngest } from '../kommo/index.js';
import { voicePortOf, voiceWebhookUrl } from '../voice/voice-settings.js';
import {
  createHeartbeats,
  createMetrics,
  instrumentBookingService,
  instrumentPort,
  type Heartbeats,
  type Metrics,
} from '../observability/index.js';
import { loadSecretBox } from '../integrations/encryption-keys.js';
import { createIntegrationService, type IntegrationService } from '../integrations/integration-service.js';
import { createIntegrationView } from '../integrations/integration-view.js';
import { createPluginRegistry, createTenantPortResolver, type TenantPortResolver } from '../integrations/port-resolver.js';
import { createPostgresCredentialStore } from '../integrations/postgres-credential-store.js';
import type { SecretBox } from '../integrations/secret-box.js';
import {
  createSandboxCalendar,
  createSandboxClock,
  createSandboxCrm,
  createSandboxMessaging,
  createSandboxPlugins,
  type SandboxClock,
  type SandboxCrm,
  type SandboxMessaging,
} from '../sandbox/index.js';
import { createAlertNotifier } from '../alerts-notify/index.js';
import { createWebhookService, type WebhookService } from '../webhooks/index.js';
import type { ServerConfig } from './config.js';
import type { OpenedDatabase } from './open-database.js';
import { openRedis } from './open-redis.js';
import { createServerServices } from './server-services.js';

/** A tenant's own sandbox adapters, un-instrumented (health switch, what it sent, its board). */
export interface TenantSandbox {
  readonly messaging: SandboxMessaging;
  readonly calendar: CalendarPort;
  readonly crm: SandboxCrm;
}

/** The adapters behind the ports, as the routes and the workers need them: each tenant's own. */
export interface ServerPorts {
  /** The CRM of a tenant (its configured integration, or its own sandbox board). */
  readonly crmFor: (tenant: Tenant | string) => CrmPort;
  /** The calendar of a tenant. */
  readonly calendarFor: (tenantId: string) => CalendarPort;
  /** The WhatsApp channel of a tenant. */
  readonly messagingFor: (tenantId: string) => MessagingPort;
  /** A tenant's own sandbox (the default of every kind it has not configured). */
  readonly sandboxFor: (tenantId: string) => TenantSandbox;
  readonly resolver: TenantPortResolver;
}

/** How often a process looks for integration changes made by other processes. */
const integrationPollMs = 2_000;

/** Everything the server runs on. */
export interface Composition {
  readonly context: ServerContext;
  readonly ports: ServerPorts;
  readonly clock: SandboxClock;
  readonly metrics: Metrics;
  readonly heartbeats: Heartbeats;
  /** WhatsApp deliveries from Evolution: the webhook route, its inbox and the inbox worker. */
  readonly evolution: EvolutionIngest;
  /** Kommo's webhooks: the route and the deliveries being applied. */
  readonly kommo: KommoIngest;
  /** Where inbound media are kept (`blobs/` under the data directory). */
  readonly blobs: BlobStore;
  /** Outgoing webhooks: deliveries written with each change, endpoints managed by the routes. */
  readonly webhooks: WebhookService;
  /** Seals integration secrets at rest. */
  readonly box: SecretBox;
  /** The tenants' integrations (the API and the command line). */
  readonly integrations: IntegrationService;
  /** The model of a tenant's agent: its `model` integration, else `SDR_AGENT_*`, else the demo model. */
  readonly modelFor: TenantModelResolver;
  /** A tenant's phone (its Twilio `voice` integration), or `null` when it has none. */
  readonly voiceFor: (tenantId: string) => VoicePort | null;
  /** Identifies this process in heartbeats and claims. */
  readonly processId: string;
  /** Releases what the composition opened (Redis connection, clock refresh); the database is the caller's. */
  close(): Promise<void>;
}

/** Wires ports and services on `database`. */
export async function composeServer(input: {
  readonly config: ServerConfig;
  readonly database: OpenedDatabase;
  readonly logger: Logger;
  /** Plugins beyond those the server ships (a third party's CRM). */
  readonly plugins?: readonly AnyAdapterPlugin[];
}): Promise<Composition> {
  const { config, database, logger } = input;
  const processId = `${config.role}-${randomUUID().slice(0, 8)}`;
  const db = database.connection;
  // First: a Redis that cannot be reached stops the start before anything else runs.
  const redis = config.redisUrl === null ? null : await openRedis(config.redisUrl, logger);

  const clock = createSandboxClock({ db: database.database });
  await clock.start();

  const box = await loadSecretBox(config.encryption, logger);
  const store = createPostgresStore({ db });
  const events = createDomainEvents();
  const webhooks = createWebhookService({ database: database.database, events, clock, logger });
  const { channels, cooldownMs } = config.alertNotifications;
  const alertNotifier = channels.length === 0 ? null : createAlertNotifier({ events, channels, clock, logger, cooldownMs });
  const heartbeats = createHeartbeats({ db: database.database, clock, processId });
  const metrics = createMetrics({ store, clock, events, logger, heartbeats });

  const lock: LockPort = redis === null ? createPostgresLock({ db, clock }) : createRedisLock({ redis, clock });
  const rateLimiter: RateLimiter = redis === null ? createInMemoryRateLimiter({ clock }) : createRedisRateLimiter({ redis });

  const depsFor = (tenantId: string, kind: PluginKind): PluginDeps => ({
    tenantId,
    clock,
    logger,
    lock,
    rateLimiter,
    credentials: createPostgresCredentialStore({ db: database.database, box, clock, tenantId, kind }),
  });
  // Every tenant has a sandbox of its own — channel instances, calendars and CRM board keyed by
  // the tenant — which is the default of each kind it has not configured.
  const sandboxes = new Map<string, TenantSandbox>();
  const sandboxFor = (tenantId: string): TenantSandbox => {
    let sandbox = sandboxes.get(tenantId);
    if (sandbox === undefined) {
      const db = database.database;
      sandbox = {
        messaging: createSandboxMessaging({ db, clock, account: tenantId }),
        calendar: createSandboxCalendar({ db, clock, account: tenantId }),
        crm: createSandboxCrm({ db, clock, account: tenantId, rateLimiter }),
      };
      sandboxes.set(tenantId, sandbox);
    }
    return sandbox;
  };
  // The plugins the server ships (the sandbox, Evolution, Kommo, the agent's models), then the embedder's own.
  const plugins = createPluginRegistry([
    ...Object.values(createSandboxPlugins({ db: database.database })),
    evolutionPlugin,
    kommoPlugin,
    twilioVoicePlugin,
    openAiCompatibleModelPlugin,
    sandboxModelPlugin,
    ...(input.plugins ?? []),
  ]);
  const view = createIntegrationView({ db: database.database, box, plugins, logger });
  await view.refresh();
  view.start(integrationPollMs);
  const resolver = createTenantPortResolver({
    plugins,
    configurationOf: view.configurationOf,
    // The CRM paces its own requests on the shared limiter (the port's contract), at the tenant's
    // configured rate when the caller has the tenant.
    defaults: {
      crm: (tenantId, tenant) =>
        tenant === null
          ? sandboxFor(tenantId).crm
          : createSandboxCrm({
              db: database.database,
              clock,
              account: tenantId,
              rateLimiter,
              pacedRequestsPerSecond: tenant.crm.requestsPerSecond,
            }),
      calendar: (tenantId) => sandboxFor(tenantId).calendar,
      whatsapp: (tenantId) => sandboxFor(tenantId).messaging,
    },
    depsFor,
    // Sends stop while Evolution reports that an instance's connection is not open (the gate is
    // applied when a port is resolved, after the ingest below exists).
    wrap: (kind, port) =>
      kind === 'whatsapp'
        ? instrumentPort<MessagingPort>(evolution.gateMessaging(port as MessagingPort), { kind: 'messaging', metrics })
        : instrumentPort(port, { kind, metrics }),
  });
  const { crmFor, calendarFor, messagingFor } = resolver;
  const integrations = createIntegrationService({
    db: database.database,
    box,
    plugins,
    view,
    resolver,
    store,
    clock,
    depsFor,
    // Kommo signs nothing: its URL carries the tenant's webhook secret.
    webhookUrl: (tenantId, kind, provider, pluginConfig) =>
      provider === 'kommo'
        ? kommoWebhookUrl(config.publicBaseUrl, tenantId, (pluginConfig as { readonly webhookSecret: string }).webhookSecret)
        : provider === 'twilio'
          ? voiceWebhookUrl(pluginConfig, tenantId)
          : `${config.publicBaseUrl}/webhooks/${provider}/${tenantId}?kind=${kind}`,
  });

  const context: ServerContext = {
    clock,
    logger,
    store,
    lock,
    rateLimiter,
    events,
    services: createServerServices({
      store,
      calendar: calendarFor,
      lock,
      clock,
      events,
      logger,
      wrapBooking: (booking) => instrumentBookingService(booking, { metrics }),
    }),
    http: {
      bodyLimitBytes: config.bodyLimitBytes,
      rateLimitPerMinute: config.rateLimitPerMinute,
      operatorKeyHash: config.operatorKey === null ? null : sha256Hex(config.operatorKey),
      publicBaseUrl: config.publicBaseUrl,
    },
  };

  const blobs = createFilesystemBlobStore({ directory: join(config.dataDir, 'blobs') });
  const { webhookSecret, jwtKey, pauseAutomationOnHumanMessage } = config.evolution;
  const evolutionSettings =
    webhookSecret === null ? null : { secret: webhookSecret, jwtKey: jwtKey ?? undefined, pauseAutomationOnHumanMessage };
  const evolution = createEvolutionIngest({
    db: database.database,
    store,
    services: context.services,
    clock,
    logger,
    // The tenant's own Evolution integration; until it has one, the environment's settings.
    settingsFor: integrationWebhookSettings({
      configurationOf: view.configurationOf,
      fallback: environmentWebhookSettings({ tenants: store.tenants, settings: evolutionSettings }),
      pauseAutomationOnHumanMessage,
    }),
    blobs,
    mediaLinkOf: mediaLink(config.publicBaseUrl),
  });

  const kommo = createKommoIngest({
    configurationOf: view.configurationOf,
    store,
    crmFor: (tenantId) => crmFor(tenantId),
    crmInbound: context.services.crmInbound,
    logger,
  });

  return {
    context,
    evolution,
    kommo,
    blobs,
    ports: { crmFor, calendarFor, messagingFor, sandboxFor, resolver },
    clock,
    metrics,
    heartbeats,
    webhooks,
    box,
    integrations,
    voiceFor: (tenantId) => voicePortOf(view.configurationOf(tenantId, 'voice'), tenantId),
    modelFor: createTenantModelResolver({ plugins, configurationOf: view.configurationOf, depsFor, fallback: config.agent.model }),
    processId,
    async close() {
      await kommo.idle();
      await view.stop();
      webhooks.close();
      await alertNotifier?.stop();
      await clock.stop();
      metrics.close();
      if (redis !== null) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
