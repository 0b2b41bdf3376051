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
import { googleCalendarPlugin, type GoogleCalendarConfig } from '@sdr/adapter-google-calendar';
import { kommoPlugin, type KommoConfig } from '@sdr/adapter-kommo';
import { twilioVoicePlugin, type VoicePort } from '@sdr/adapter-twilio-voice';
import { openAiCompatibleModelPlugin, sandboxModelPlugin } from '@sdr/agent';
import { createRedisRateLimiter } from '@sdr/adapter-redis';
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
  createInMemoryRateLimiter,
} from '@sdr/core';
import { createPostgresStore } from '@sdr/store-postgres';
import { createFilesystemBlobStore, mediaLink } from '../blob/index.js';
import { createAgentSettingsStore, type AgentSettingsStore } from '../agent/agent-settings-store.js';
import { createTenantModelResolver, type TenantModelResolver } from '../agent/model-resolver.js';
import type { ServerContext } from '../context.js';
import { createEvolutionIngest, environmentWebhookSettings, integrationWebhookSettings, type EvolutionIngest } from '../evolution/index.js';
import { sha256Hex } from '../http/index.js';
import { createGoogleCalendarSync, googleCalendarWebhookUrl, type GoogleCalendarSync } from '../google-calendar/index.js';
import { createKommoIngest, kommoWebhookUrl, type KommoIngest } from '../kommo/index.js';
import { voicePortOf, voiceWebhookUrl } from '../voice/voice-settings.js';
import {
  createHeartbeats,
  createMetrics,
  registerIntegrationGauge,
  instrumentBookingService,
  type IntegrationReadiness,
  instrumentPort,
  type Heartbeats,
  type Metrics,
} from '../observability/index.js';
import { loadSecretBox } from '../integrations/encryption-keys.js';
import { createIntegrationService, type IntegrationService } from '../integrations/integration-service.js';
import { createIntegrationView } from '../integrations/integration-view.js';
import {
  createPluginRegistry,
  createTenantPortResolver,
  type PluginRegistry,
  type TenantPortResolver,
} from '../integrations/port-resolver.js';
import { createPostgresCredentialStore } from '../integrations/postgres-credential-store.js';
import { createOAuthService, type OAuthService } from '../integrations/oauth-service.js';
import { createOAuthStateSigner } from '../integrations/oauth-state.js';
import { checkedKinds, createIntegrationHealthChecker, type IntegrationHealthChecker } from '../integrations/integration-health-checker.js';
import { createIntegrationHealthGate } from '../integrations/integration-health-gate.js';
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
import { createAlertChannelService, type AlertChannelService } from '../alerts-notify/alert-channel-service.js';
import { createAlertNotifier } from '../alerts-notify/index.js';
import { createWebhookService, type WebhookService } from '../webhooks/index.js';
import type { ServerConfig } from './config.js';
import type { OpenedDatabase } from './open-database.js';
import { openRedis } from './open-redis.js';
import { createServerLock } from './server-lock.js';
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
  /**
   * The WhatsApp channel of a tenant for sending: its `health` is `down` while the last stored
   * check of the tenant's integration is (the dispatcher's sends then wait).
   */
  readonly gatedMessagingFor: (tenantId: string) => MessagingPort;
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
  /** Kommo's webhooks: the route, its inbox and the inbox worker. */
  readonly kommo: KommoIngest;
  /** Changes people make in the tenants' Google Calendars: push notifications, channel renewal, timer syncs. */
  readonly googleCalendar: GoogleCalendarSync;
  /** Where inbound media are kept (`blobs/` under the data directory). */
  readonly blobs: BlobStore;
  /** Outgoing webhooks: deliveries written with each change, endpoints managed by the routes. */
  readonly webhooks: WebhookService;
  /** The tenants' alert channels (the API), read by the alert notifier. */
  readonly alertChannels: AlertChannelService;
  /** Seals integration secrets at rest. */
  readonly box: SecretBox;
  /** The tenants' integrations (the API and the command line). */
  readonly integrations: IntegrationService;
  /** Connecting integrations by OAuth (start, and the provider's callback). */
  readonly oauth: OAuthService;
  /** The plugins this server has (shipped and given), by kind and provider. */
  readonly plugins: PluginRegistry;
  /** The periodic health checks of the tenants' integrations (the workers run its passes). */
  readonly integrationHealth: IntegrationHealthChecker;
  /** The tenants' configured integrations and their last health, for `/readyz`. */
  integrationReadiness(): IntegrationReadiness[];
  /** The model of a tenant's agent: its `model` integration, else `SDR_AGENT_*`, else the demo model. */
  readonly modelFor: TenantModelResolver;
  /** Each tenant's agent settings (persona), read by the agent through a short cache. */
  readonly agentSettings: AgentSettingsStore;
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

  const clock = createSandboxClock({ db: database.database, logger });
  await clock.start();

  const box = await loadSecretBox(config.encryption, logger);
  const store = createPostgresStore({ db });
  const events = createDomainEvents();
  const webhooks = createWebhookService({ database: database.database, events, clock });
  const { channels, cooldownMs } = config.alertNotifications;
  const allowPrivate = config.webhooks.allowPrivate;
  const alertChannels = createAlertChannelService({ database: database.database, box, clock, allowPrivate });
  // The operator's channels hear every alert; a tenant's channels, its own.
  const alertNotifier = createAlertNotifier({
    events,
    channels,
    tenantChannels: (tenantId) => alertChannels.channelsOf(tenantId),
    clock,
    logger,
    cooldownMs,
    allowPrivate,
  });
  const heartbeats = createHeartbeats({ db: database.database, clock, processId });
  const metrics = createMetrics({ store, clock, events, logger, heartbeats });

  // On real time, not the sandbox clock: see `server-lock.ts`.
  const lock: LockPort = createServerLock({ redis, db });
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
  // The plugins the server ships (the sandbox, Evolution, Kommo, Google Calendar, the agent's models), then the embedder's own.
  const plugins = createPluginRegistry([
    ...Object.values(createSandboxPlugins({ db: database.database })),
    evolutionPlugin,
    kommoPlugin,
    googleCalendarPlugin,
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
    tenantSettingsOf: async ({ provider, kind, config: pluginConfig, deps }) => {
      // Kommo's pipeline and status names, resolved to ids at PUT time, become the tenant's stage mapping (what the CRM sync moves cards with).
      if (kind === 'crm' && provider === kommoPlugin.provider) {
        const { stageMapping } = await kommoPlugin.resolveStages(pluginConfig as KommoConfig, deps);
        return (tenant) => ({ ...tenant, stageMapping });
      }
      // The Google calendar configured is the one meetings are booked in (and synced, and watched).
      if (kind === 'calendar' && provider === googleCalendarPlugin.provider) {
        const { calendarId } = pluginConfig as GoogleCalendarConfig;
        return (tenant) => ({ ...tenant, booking: { ...tenant.booking, calendarId } });
      }
      return null;
    },
    // Kommo signs nothing: its URL carries the tenant's webhook secret.
    webhookUrl: (tenantId, kind, provider, pluginConfig) =>
      provider === 'kommo'
        ? kommoWebhookUrl(config.publicBaseUrl, tenantId, (pluginConfig as { readonly webhookSecret: string }).webhookSecret)
        : provider === 'google' && kind === 'calendar'
          ? googleCalendarWebhookUrl(config.publicBaseUrl, tenantId)
          : provider === 'twilio'
            ? voiceWebhookUrl(pluginConfig, tenantId)
            : `${config.publicBaseUrl}/webhooks/${provider}/${tenantId}?kind=${kind}`,
  });

  // The kinds the server checks: a configured model is never checked, and would only ever count 0.
  registerIntegrationGauge(metrics.registry, () => [...view.configured()].filter((integration) => checkedKinds.includes(integration.kind)));
  const { healthIntervalMs, healthConcurrency } = config.integrations;
  const integrationHealth = createIntegrationHealthChecker({
    view,
    integrations,
    lock,
    clock,
    logger,
    intervalMs: healthIntervalMs,
    concurrency: healthConcurrency,
  });
  // A stored `down` holds sends while it is recent: three intervals, then the channel is asked itself.
  const healthGate = createIntegrationHealthGate({ healthOf: view.healthOf, clock, maxAgeMs: 3 * healthIntervalMs });
  const gatedMessagingFor = (tenantId: string): MessagingPort => healthGate(tenantId, messagingFor(tenantId));

  const oauth = createOAuthService({
    db: database.database,
    plugins,
    view,
    integrations,
    signer: createOAuthStateSigner({ key: box.deriveKey('oauth-state'), clock, ttlMs: config.integrations.oauthStateTtlMs }),
    clock,
    depsFor,
    redirectBaseUrl: config.integrations.redirectBaseUrl,
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
    events,
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
    db: database.database,
    clock,
    configurationOf: view.configurationOf,
    store,
    crmFor: (tenantId) => crmFor(tenantId),
    crmInbound: context.services.crmInbound,
    logger,
    events,
  });

  const googleTenant = (entry: { readonly tenantId: string; readonly config: unknown }) => ({
    tenantId: entry.tenantId,
    config: entry.config as GoogleCalendarConfig,
  });
  const googleCalendar = createGoogleCalendarSync({
    store,
    booking: context.services.booking,
    tokens: store.calendarSyncTokens,
    calendarFor,
    integrationOf: (tenantId) => {
      const known = view.configurationOf(tenantId, 'calendar');
      return known?.provider === googleCalendarPlugin.provider ? googleTenant(known) : null;
    },
    integrations: () => view.configuredWith('calendar', googleCalendarPlugin.provider).map(googleTenant),
    depsFor,
    googleFor: (pluginConfig, deps) => googleCalendarPlugin.create(pluginConfig, deps),
    notificationUrl: (tenantId) => googleCalendarWebhookUrl(config.publicBaseUrl, tenantId),
    clock,
    logger,
    events,
    intervalMs: config.calendarSync.intervalMs,
    renewBeforeMs: config.calendarSync.renewBeforeMs,
  });

  return {
    context,
    evolution,
    kommo,
    googleCalendar,
    blobs,
    ports: { crmFor, calendarFor, messagingFor, gatedMessagingFor, sandboxFor, resolver },
    clock,
    metrics,
    heartbeats,
    webhooks,
    alertChannels,
    box,
    integrations,
    oauth,
    plugins,
    integrationHealth,
    integrationReadiness: () =>
      [...view.configured()].map((integration) => ({
        kind: integration.kind,
        provider: integration.provider,
        status: integration.health?.status ?? null,
      })),
    voiceFor: (tenantId) => voicePortOf(view.configurationOf(tenantId, 'voice'), tenantId),
    modelFor: createTenantModelResolver({ plugins, configurationOf: view.configurationOf, depsFor, fallback: config.agent.model }),
    agentSettings: createAgentSettingsStore({ db: database.database, clock }),
    processId,
    async close() {
      await googleCalendar.idle();
      await view.stop();
      webhooks.close();
      await alertNotifier.stop();
      await clock.stop();
      metrics.close();
      if (redis !== null) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
