/**
 * The sandbox world (a real database, the PostgreSQL store) with the Evolution webhook route and
 * the inbox on top: what the route and inbox-worker tests drive.
 */
import { SignJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import { noopLogger, type BlobStore } from '@sdr/core';
import { createMediaRoutes, mediaLink } from '../../blob/media-routes.js';
import type { TestDatabase } from '../../database/__fixtures__/test-database.js';
import { call, type CallResult } from '../../http/__fixtures__/test-context.js';
import { createHttpApp } from '../../http/create-http-app.js';
import { createSandboxWorld, type SandboxWorld } from '../../sandbox/__fixtures__/sandbox-world.js';
import type { EvolutionInbox } from '../evolution-inbox.js';
import type { EvolutionInboxWorker } from '../evolution-inbox-worker.js';
import { createEvolutionIngest, type EvolutionIngest } from '../evolution-ingest.js';
import { environmentWebhookSettings, type EvolutionWebhookSettings } from '../evolution-webhook-settings.js';

/** The webhook secret of the test tenants. */
export const webhookSecret = 'webhook-secret-for-tests-0123456789';

/** The sandbox world plus the webhook route and its inbox. */
export interface EvolutionWorld extends SandboxWorld {
  /** The app with the webhook route. */
  readonly webhookApp: FastifyInstance;
  readonly inbox: EvolutionInbox;
  readonly ingest: EvolutionIngest;
  /** An inbox worker on the world's clock (not started); drive it with `drainOnce`. */
  readonly worker: EvolutionInboxWorker;
  /** Drains until a pass claims nothing; how many events were claimed in all. */
  drain(): Promise<number>;
  readonly settings: EvolutionWebhookSettings;
  /** Delivers `body` to the tenant's webhook with the secret header (or `headers` instead). */
  deliver(tenantId: string, body: unknown, headers?: Record<string, string>): Promise<CallResult<{ status: string }>>;
  /** A bearer JWT as Evolution signs it with `jwt_key`. */
  jwt(key: string, options?: { readonly expiresAt?: Date }): Promise<string>;
}

/** Builds the world on `database`. */
export async function createEvolutionWorld(
  database: TestDatabase,
  options: {
    readonly settings?: Partial<EvolutionWebhookSettings>;
    readonly blobs?: BlobStore;
    readonly fetch?: typeof globalThis.fetch;
  } = {},
): Promise<EvolutionWorld> {
  const world = await createSandboxWorld(database);
  const settings: EvolutionWebhookSettings = { secret: webhookSecret, ...options.settings };
  const { context } = world;
  const ingest = createEvolutionIngest({
    db: database.database,
    store: context.store,
    services: context.services,
    clock: world.clock,
    logger: noopLogger,
    events: context.events,
    settingsFor: environmentWebhookSettings({ tenants: context.store.tenants, settings }),
    ...(options.blobs === undefined ? {} : { blobs: options.blobs, mediaLinkOf: mediaLink('http://localhost:3000') }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const webhookApp = await createHttpApp(context, {
    extraRoutes: [ingest.routes, ...(options.blobs === undefined ? [] : [createMediaRoutes({ blobs: options.blobs })])],
  });
  const worker = ingest.worker({ workerId: 'inbox-test', random: () => 0.5 });
  return {
    ...world,
    webhookApp,
    inbox: ingest.inbox,
    ingest,
    worker,
    async drain() {
      let total = 0;
      for (;;) {
        const claimed = await worker.drainOnce();
        if (claimed === 0) return total;
        total += claimed;
      }
    },
    settings,
    deliver: (tenantId, body, headers) =>
      call(webhookApp, {
        method: 'POST',
        url: `/webhooks/evolution/${tenantId}`,
        body,
        headers: headers ?? { 'x-webhook-secret': webhookSecret },
      }),
    async jwt(key, jwtOptions = {}) {
      const now = world.clock.now();
      return new SignJWT({ app: 'evolution', action: 'webhook' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor((jwtOptions.expiresAt ?? new Date(now.getTime() + 600_000)).getTime() / 1000))
        .sign(new TextEncoder().encode(key));
    },
  };
}
