/**
 * A `ServerContext` on a real database — the PostgreSQL store and the sandbox adapters side by
 * side, on the file's test database — with the sandbox routes registered, two tenants with their
 * keys, and a dispatcher that sends through the sandbox channel: the offline server in miniature.
 */
import { randomUUID } from 'node:crypto';
import {
  VirtualClock,
  createDispatcher,
  createDomainEvents,
  createFollowUpDispatchHandler,
  noopLogger,
  parseOrThrow,
  tenantSchema,
  type Dispatcher,
} from '@sdr/core';
import { createInMemoryLock, createInMemoryRateLimiter } from '@sdr/core/testing';
import { createPostgresStore } from '@sdr/store-postgres';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { createServerServices } from '../../runtime/server-services.js';
import type { TestDatabase } from '../../database/__fixtures__/test-database.js';
import { createTenantApiKey, sha256Hex } from '../../http/auth/api-keys.js';
import { createHttpApp } from '../../http/create-http-app.js';
import type { TestTenant } from '../../http/__fixtures__/test-context.js';
import { createSandboxCalendar } from '../sandbox-calendar.js';
import { createSandboxClock, type SandboxClock } from '../sandbox-clock.js';
import { createSandboxCrm, type SandboxCrm } from '../sandbox-crm.js';
import { sandboxStageMapping } from '../sandbox-crm-pipeline.js';
import { createSandboxMessaging } from '../sandbox-messaging.js';
import { createSandboxRoutes, type TenantSandboxPorts } from '../sandbox-routes.js';

/** Monday 2 March 2026, 09:00 in São Paulo. */
export const sandboxTestStart = '2026-03-02T12:00:00Z';

const weekday = [['09:00', '18:00']] as [string, string][];

/** The world of the sandbox route tests. */
export interface SandboxWorld {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** The real time under the sandbox clock (tests move it instead of waiting). */
  readonly base: VirtualClock;
  readonly clock: SandboxClock;
  /** A tenant's own sandbox. */
  sandboxFor(tenantId: string): TenantSandboxPorts;
  crmFor(tenantId: string): SandboxCrm;
  readonly dispatcher: Dispatcher;
  readonly acme: TestTenant;
  readonly globex: TestTenant;
  /** Seeds one more tenant, on the channel instance `instance` (default: a name of its own). */
  seed(name: string, instance?: string): Promise<TestTenant>;
  /** The operator key of the world's server. */
  readonly operatorKey: string;
}

/** Builds the world on `database`; each call seeds two new tenants. */
export async function createSandboxWorld(database: TestDatabase): Promise<SandboxWorld> {
  const base = new VirtualClock(sandboxTestStart);
  const operatorKey = `operator-${randomUUID()}`;
  const db = database.database;
  const clock = createSandboxClock({ db, base });
  await clock.refresh();
  const store = createPostgresStore({ db: database.db, clock });
  const sandboxes = new Map<string, TenantSandboxPorts>();
  const sandboxFor = (tenantId: string): TenantSandboxPorts => {
    let sandbox = sandboxes.get(tenantId);
    if (sandbox === undefined) {
      sandbox = {
        messaging: createSandboxMessaging({ db, clock, account: tenantId }),
        calendar: createSandboxCalendar({ db, clock, account: tenantId }),
        crm: createSandboxCrm({ db, clock, account: tenantId }),
      };
      sandboxes.set(tenantId, sandbox);
    }
    return sandbox;
  };
  const lock = createInMemoryLock({ clock });
  const events = createDomainEvents();
  const services = createServerServices({ store, calendar: (tenantId) => sandboxFor(tenantId).calendar, lock, clock, events });
  const { followUp } = services;
  const context: ServerContext = {
    clock,
    logger: noopLogger,
    store,
    lock,
    rateLimiter: createInMemoryRateLimiter({ clock }),
    events,
    services,
    http: {
      bodyLimitBytes: 64 * 1024,
      rateLimitPerMinute: 1000,
      operatorKeyHash: sha256Hex(operatorKey),
      publicBaseUrl: 'http://localhost:3000',
    },
  };
  const sandbox = { sandboxFor, clock };
  const app = await createHttpApp(context, { extraRoutes: [createSandboxRoutes({ context, sandbox })] });
  const dispatcher = createDispatcher({
    store,
    messaging: (tenantId) => sandboxFor(tenantId).messaging,
    clock,
    handlers: [createFollowUpDispatchHandler({ followUp, events })],
    pacing: false,
  });
  const seed = async (name: string, instance = `whatsapp-${randomUUID()}`): Promise<TestTenant> => {
    const now = clock.now();
    const tenant = await store.tenants.create(
      parseOrThrow(tenantSchema, {
        id: randomUUID(),
        name,
        timeZone: 'America/Sao_Paulo',
        businessHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
        stageMapping: sandboxStageMapping,
        messaging: { instance },
        createdAt: now,
        updatedAt: now,
        version: 0,
      }),
    );
    const issued = await createTenantApiKey(store.apiKeys, { tenantId: tenant.id, name: 'tests', clock });
    return { tenant, key: issued.key, apiKeyId: issued.apiKey.id };
  };
  return {
    app,
    context,
    base,
    clock,
    sandboxFor,
    crmFor: (tenantId) => sandboxFor(tenantId).crm,
    dispatcher,
    acme: await seed('Acme'),
    globex: await seed('Globex'),
    seed,
    operatorKey,
  };
}
