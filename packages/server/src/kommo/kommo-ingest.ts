/**
 * Kommo's webhooks in the server: the route writes each accepted delivery to the inbox
 * (`kommo_inbox`) before it answers 200, and the inbox worker applies it — so a delivery
 * survives a restart, and one Kommo re-sends is stored once. `idle()` drains what is due now
 * (tests, tools).
 */
import type { Clock, DomainEvents, Store } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import type { FastifyPluginAsync } from 'fastify';
import type { KommoDeliveryDeps } from './kommo-delivery.js';
import { createKommoInbox, type KommoInbox } from './kommo-inbox.js';
import { createKommoInboxWorker, type KommoInboxWorker, type KommoInboxWorkerOptions } from './kommo-inbox-worker.js';
import { createKommoWebhookRoutes } from './kommo-webhook-route.js';
import { kommoWebhookSettings, type ConfiguredCrmOf } from './kommo-webhook-settings.js';

/** The route, its inbox and the inbox worker. */
export interface KommoIngest {
  readonly routes: FastifyPluginAsync;
  readonly inbox: KommoInbox;
  /** A worker draining the inbox (the runtime starts one per worker process). */
  worker(options: Pick<KommoInboxWorkerOptions, 'workerId'> & Partial<KommoInboxWorkerOptions>): KommoInboxWorker;
  /** Applies every delivery due now, in this process; resolves when none is left. */
  idle(): Promise<void>;
}

/** Wires the route and the inbox on the tenants' CRM integrations. */
export function createKommoIngest(
  deps: KommoDeliveryDeps & {
    readonly store: Pick<Store, 'leads' | 'syncStates' | 'transaction'>;
    /** Where the `kommo_inbox_failed` alert is announced. */
    readonly events?: DomainEvents | undefined;
    readonly configurationOf: ConfiguredCrmOf;
    readonly db: Database;
    readonly clock: Clock;
  },
): KommoIngest {
  const inbox = createKommoInbox({ db: deps.db });
  const worker: KommoIngest['worker'] = (options) => createKommoInboxWorker({ ...deps, inbox, ...options });
  const drainer = worker({ workerId: 'kommo-inbox-idle' });
  return {
    routes: createKommoWebhookRoutes({
      settingsFor: kommoWebhookSettings(deps.configurationOf),
      accept: async ({ tenantId, body }) => {
        await inbox.add({ tenantId, body, receivedAt: deps.clock.now() });
      },
      logger: deps.logger,
    }),
    inbox,
    worker,
    async idle() {
      while ((await inbox.due(deps.clock.now())) > 0) {
        // Another worker may hold the head: wait for it to settle.
        if ((await drainer.drainOnce()) === 0) await deps.clock.sleep(20);
      }
    },
  };
}
