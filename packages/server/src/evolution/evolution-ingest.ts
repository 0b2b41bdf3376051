/**
 * The Evolution ingestion path as the composition root wires it: the inbox and delivery-state
 * tables, the tenant settings, the webhook route and the inbox worker, built once.
 */
import type { BlobStore, Clock, DomainEvents, Logger, MessagingPort, Store } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import type { FastifyPluginAsync } from 'fastify';
import type { ServerServices } from '../context.js';
import type { EvolutionEventDeps } from './apply-evolution-event.js';
import { createEvolutionInbox, type EvolutionInbox } from './evolution-inbox.js';
import { createEvolutionInboxWorker, type EvolutionInboxWorker, type EvolutionInboxWorkerOptions } from './evolution-inbox-worker.js';
import { createEvolutionWebhookRoutes } from './evolution-webhook-route.js';
import { createInboundMedia } from './inbound-media.js';
import type { EvolutionWebhookSettingsFor } from './evolution-webhook-settings.js';
import { createWhatsappDeliveryState, withChannelStates, type WhatsappDeliveryState } from './whatsapp-delivery-state.js';

/** The wired path. */
export interface EvolutionIngest {
  readonly inbox: EvolutionInbox;
  readonly delivery: WhatsappDeliveryState;
  readonly settingsFor: EvolutionWebhookSettingsFor;
  /** `POST /webhooks/evolution/{tenantId}`. */
  readonly routes: FastifyPluginAsync;
  /** An inbox worker (not started). */
  worker(
    input: { readonly workerId: string } & Partial<Omit<EvolutionInboxWorkerOptions, keyof EvolutionEventDeps | 'inbox' | 'workerId'>>,
  ): EvolutionInboxWorker;
  /** `messaging` reporting an instance down while Evolution says its connection is not open. */
  gateMessaging<Port extends MessagingPort>(messaging: Port): Port;
}

/** Wires the path on the server's database and the core services. */
export function createEvolutionIngest(input: {
  readonly db: Database;
  readonly store: Store;
  readonly services: Pick<ServerServices, 'conversation' | 'handoff'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the `channel_down` alert is announced (webhook deliveries, alert channels). */
  readonly events?: DomainEvents;
  readonly settingsFor: EvolutionWebhookSettingsFor;
  /** Where inbound media are kept (none: they are not). */
  readonly blobs?: BlobStore;
  /** Where a stored medium can be fetched, for the CRM note. */
  readonly mediaLinkOf?: (ref: string) => string;
  /** A `fetch` for media downloads instead of the global one. */
  readonly fetch?: typeof globalThis.fetch;
}): EvolutionIngest {
  const { db, store, clock, logger, settingsFor } = input;
  const inbox = createEvolutionInbox({ db });
  const delivery = createWhatsappDeliveryState({ db });
  const deps: EvolutionEventDeps = {
    store,
    conversation: input.services.conversation,
    handoff: input.services.handoff,
    delivery,
    settingsFor,
    clock,
    logger,
    events: input.events,
    media:
      input.blobs === undefined
        ? undefined
        : createInboundMedia({
            blobs: input.blobs,
            settingsFor,
            clock,
            logger,
            ...(input.mediaLinkOf === undefined ? {} : { linkOf: input.mediaLinkOf }),
            ...(input.fetch === undefined ? {} : { fetch: input.fetch }),
          }),
  };
  return {
    inbox,
    delivery,
    settingsFor,
    routes: createEvolutionWebhookRoutes({ settingsFor, inbox, clock, logger }),
    worker: (options) => createEvolutionInboxWorker({ ...deps, ...options, inbox }),
    gateMessaging: (messaging) => withChannelStates(messaging, { states: delivery, clock }),
  };
}
