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
import { createRedisLock, createRedisRateLimiter } from '@sdr/adapter-redis';
import {
  createDomainEvents,
  type BlobStore,
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
import type { ServerContext } from '../context.js';
import { createEvolutionIngest, environmentWebhookSettings, type EvolutionIngest } from '../evolution/index.js';
import { sha256Hex } from '../http/index.js';
import {
  createHeartbeats,
  createMetrics,
  instrumentBookingService,
  instrumentPort,
  type Heartbeats,
  type Metrics,
} from '../observability/index.js';
import {
  createSandboxCalendar,
  createSandboxClock,
  createSandboxCrm,
  createSandboxMessaging,
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

/** The adapters behind the ports, as the sandbox routes and the workers need them. */
export interface ServerPorts {
  readonly messaging: MessagingPort;
  readonly calendar: CalendarPort;
  /** The CRM of a tenant (the sandbox gives each tenant a board of its own). */
  readonly crmFor: (tenant: Tenant | string) => CrmPort;
  /** The un-instrumented sandbox channel (health switches, what it sent). */
  readonly sandboxMessaging: SandboxMessaging;
  /** A tenant's un-instrumented sandbox CRM account (its board). */
  readonly sandboxCrmFor: (tenantId: string) => SandboxCrm;
}

/** Everything the server runs on. */
export interface Composition {
  readonly context: ServerContext;
  readonly ports: ServerPorts;
  readonly clock: SandboxClock;
  readonly metrics: Metrics;
  readonly heartbeats: Heartbeats;
  /** WhatsApp deliveries from Evolution: the webhook route, its inbox and the inbox worker. */
  readonly evolution: EvolutionIngest;
  /** Where inbound media are kept (`blobs/` under the data directory). */
  readonly blobs: BlobStore;
  /** Outgoing webhooks: deliveries written with each change, endpoints managed by the routes. */
  readonly webhooks: WebhookService;
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
}): Promise<Composition> {
  const { config, database, logger } = input;
  const processId = `${config.role}-${randomUUID().slice(0, 8)}`;
  const db = database.connection;
  // First: a Redis that cannot be reached stops the start before anything else runs.
  const redis = config.redisUrl === null ? null : await openRedis(config.redisUrl, logger);

  const clock = createSandboxClock({ db: database.database });
  await clock.start();

  const store = createPostgresStore({ db });
  const events = createDomainEvents();
  const webhooks = createWebhookService({ database: database.database, events, clock, logger });
  const { channels, cooldownMs } = config.alertNotifications;
  const alertNotifier = channels.length === 0 ? null : createAlertNotifier({ events, channels, clock, logger, cooldownMs });
  const heartbeats = createHeartbeats({ db: database.database, clock, processId });
  const metrics = createMetrics({ store, clock, events, logger, heartbeats });

  const lock: LockPort = redis === null ? createPostgresLock({ db, clock }) : createRedisLock({ redis, clock });
  const rateLimiter: RateLimiter = redis === null ? createInMemoryRateLimiter({ clock }) : createRedisRateLimiter({ redis });

  const sandboxMessaging = createSandboxMessaging({ db: database.database, clock });
  const calendar = instrumentPort(createSandboxCalendar({ db: database.database, clock }), { kind: 'calendar', metrics });
  // One sandbox CRM account per tenant; the workers talk to it through the instrumented port. The
  // CRM paces its own requests on the shared limiter (the port's contract), at the tenant's
  // configured rate when the caller has the tenant.
  const sandboxCrms = new Map<string, { readonly raw: SandboxCrm; readonly port: CrmPort }>();
  const crmAccount = (account: string, requestsPerSecond?: number) => {
    const cacheKey = requestsPerSecond === undefined ? account : `${account}@${requestsPerSecond}`;
    let crm = sandboxCrms.get(cacheKey);
    if (crm === undefined) {
      const raw = createSandboxCrm({
        db: database.database,
        clock,
        account,
        rateLimiter,
        ...(requestsPerSecond === undefined ? {} : { pacedRequestsPerSecond: requestsPerSecond }),
      });
      crm = { raw, port: instrumentPort<CrmPort>(raw, { kind: 'crm', metrics }) };
      sandboxCrms.set(cacheKey, crm);
    }
    return crm;
  };
  const crmFor = (tenant: Tenant | string): CrmPort =>
    (typeof tenant === 'string' ? crmAccount(tenant) : crmAccount(tenant.id, tenant.crm.requestsPerSecond)).port;
  const sandboxCrmFor = (tenantId: string): SandboxCrm => crmAccount(tenantId).raw;

  const context: ServerContext = {
    clock,
    logger,
    store,
    lock,
    rateLimiter,
    events,
    services: createServerServices({
      store,
      calendar,
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
    settingsFor: environmentWebhookSettings({ tenants: store.tenants, settings: evolutionSettings }),
    blobs,
    mediaLinkOf: mediaLink(config.publicBaseUrl),
  });
  // Sends stop while Evolution reports that an instance's connection is not open.
  const messaging = instrumentPort<MessagingPort>(evolution.gateMessaging(sandboxMessaging), { kind: 'messaging', metrics });

  return {
    context,
    evolution,
    blobs,
    ports: { messaging, calendar, crmFor, sandboxMessaging, sandboxCrmFor },
    clock,
    metrics,
    heartbeats,
    webhooks,
    processId,
    async close() {
      webhooks.close();
      await alertNotifier?.stop();
      await clock.stop();
      metrics.close();
      if (redis !== null) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
