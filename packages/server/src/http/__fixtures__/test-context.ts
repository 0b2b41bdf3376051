/**
 * A `ServerContext` on the in-memory doubles of `@sdr/core/testing` and a virtual clock, the app
 * built on it, and two tenants with their keys — for tests that drive the API with `app.inject`.
 */
import { VirtualClock, createDomainEvents, noopLogger, parseOrThrow, tenantSchema, type Tenant } from '@sdr/core';
import {
  createInMemoryCalendar,
  createInMemoryLock,
  createInMemoryRateLimiter,
  createInMemoryStore,
  type InMemoryCalendar,
  type InMemoryLock,
  type InMemoryRateLimiter,
  type InMemoryStore,
} from '@sdr/core/testing';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { HttpSettings, ServerContext } from '../../context.js';
import { createServerServices } from '../../runtime/server-services.js';
import { createTenantApiKey, sha256Hex } from '../auth/api-keys.js';
import { createHttpApp } from '../create-http-app.js';
import type { Problem } from '../problem.js';

/** The operator key of the test context. */
export const operatorKey = 'operator-key-for-tests-only-0123456789';

/** Monday 2 March 2026, 09:00 in São Paulo. */
export const testStart = '2026-03-02T12:00:00Z';

const weekday = [['09:00', '18:00']] as [string, string][];

/** A seeded tenant and its API key. */
export interface TestTenant {
  readonly tenant: Tenant;
  readonly key: string;
  readonly apiKeyId: string;
}

/** Everything a test needs: the app, its context and the doubles behind it, and two tenants. */
export interface TestWorld {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  readonly clock: VirtualClock;
  readonly store: InMemoryStore;
  readonly calendar: InMemoryCalendar;
  readonly lock: InMemoryLock;
  readonly rateLimiter: InMemoryRateLimiter;
  readonly acme: TestTenant;
  readonly globex: TestTenant;
}

/** Builds the world; `http` overrides the HTTP settings, `loggerInstance` captures logs. */
export async function createTestWorld(
  options: {
    readonly http?: Partial<HttpSettings>;
    readonly loggerInstance?: FastifyBaseLogger;
    readonly extraRoutes?: (context: ServerContext, clock: VirtualClock) => readonly FastifyPluginAsync[];
  } = {},
): Promise<TestWorld> {
  const clock = new VirtualClock(testStart);
  const store = createInMemoryStore({ clock });
  const calendar = createInMemoryCalendar({ clock });
  const lock = createInMemoryLock({ clock });
  const rateLimiter = createInMemoryRateLimiter({ clock });
  const events = createDomainEvents();
  const context: ServerContext = {
    clock,
    logger: noopLogger,
    store,
    lock,
    rateLimiter,
    events,
    services: createServerServices({ store, calendar, lock, clock, events }),
    http: {
      bodyLimitBytes: 64 * 1024,
      rateLimitPerMinute: 1000,
      operatorKeyHash: sha256Hex(operatorKey),
      publicBaseUrl: 'http://localhost:3000',
      ...options.http,
    },
  };
  const app = await createHttpApp(context, {
    ...(options.loggerInstance === undefined ? {} : { loggerInstance: options.loggerInstance }),
    ...(options.extraRoutes === undefined ? {} : { extraRoutes: options.extraRoutes(context, clock) }),
  });
  const seed = async (name: string): Promise<TestTenant> => {
    const now = clock.now();
    const tenant = await store.tenants.create(
      parseOrThrow(tenantSchema, {
        id: crypto.randomUUID(),
        name,
        timeZone: 'America/Sao_Paulo',
        businessHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
        createdAt: now,
        updatedAt: now,
        version: 0,
      }),
    );
    const issued = await createTenantApiKey(store.apiKeys, { tenantId: tenant.id, name: 'tests', clock });
    return { tenant, key: issued.key, apiKeyId: issued.apiKey.id };
  };
  return { app, context, clock, store, calendar, lock, rateLimiter, acme: await seed('Acme'), globex: await seed('Globex') };
}

/** A request through `app.inject`, with a bearer key and a JSON body. */
export interface CallInput {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly key?: string | undefined;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** The parts of a response tests look at; `Body` is what the test expects to read (the assertions check it). */
export interface CallResult<Body = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  /** The parsed JSON body (`undefined` when empty). */
  readonly body: Body;
  readonly text: string;
}

/** A problem document, as tests read it. */
export type ProblemJson = Problem;

/** A resource with an id, as tests read it. */
export interface IdJson {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** A page or list, as tests read it. */
export interface ItemsJson<Item = IdJson> {
  readonly items: Item[];
  readonly nextCursor?: string | null;
}

/** Sends one request. */
export async function call<Body = unknown>(app: FastifyInstance, input: CallInput): Promise<CallResult<Body>> {
  const response = await app.inject({
    method: input.method,
    url: input.url,
    headers: {
      ...(input.key === undefined ? {} : { authorization: `Bearer ${input.key}` }),
      ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...input.headers,
    },
    ...(input.body === undefined ? {} : { payload: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) }),
  });
  const text = response.body;
  return { status: response.statusCode, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as Body, text };
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/giu;

/** A value as JSON text with its generated ids blanked: a random id can hold any digits a test looks for. */
export function textWithoutIds(value: unknown): string {
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(uuidPattern, '<id>');
}
