/**
 * `POST /webhooks/evolution/{tenantId}`: WhatsApp deliveries from Evolution API.
 *
 * 1. Before the body is read (`onRequest`), the delivery must prove it knows the tenant's webhook
 *    secret — the `x-webhook-secret` header, or the HS256 bearer JWT Evolution signs with
 *    `jwt_key` — checked by `@sdr/adapter-evolution`'s verifier. Anything else is a 401 and
 *    nothing is read or stored; an unknown tenant looks the same.
 * 2. The envelope is validated (400 for a malformed one: Evolution does not retry it) and its
 *    `apikey` — an instance token — dropped before anything is stored or logged.
 * 3. An event worth acting on is written to the inbox (a re-delivery writes nothing) and the
 *    answer is 200 at once; the inbox worker does the rest. Events that carry nothing to act on
 *    (groups, unknown events) are answered 200 and not stored.
 */
import { randomUUID } from 'node:crypto';
import {
  parseEvolutionWebhook,
  verifyEvolutionWebhook,
  evolutionWebhookSecretHeader,
  type EvolutionWebhookEvent,
} from '@sdr/adapter-evolution';
import type { Clock, LeadIdentity, Logger } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import { pathOf } from '../http/logging.js';
import { problem, problemContentType } from '../http/problem.js';
import type { EvolutionInbox, NewInboxEvent } from './evolution-inbox.js';
import type { EvolutionWebhookSettingsFor } from './evolution-webhook-settings.js';

/** Options of `createEvolutionWebhookRoutes`. */
export interface EvolutionWebhookRoutesOptions {
  readonly settingsFor: EvolutionWebhookSettingsFor;
  readonly inbox: EvolutionInbox;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Largest delivery accepted, in bytes (default 24 MiB: a webhook registered with `base64: true`
   * carries media inline, and WhatsApp media go up to 16 MiB before base64).
   */
  readonly bodyLimitBytes?: number;
}

/** The answer to an accepted delivery. */
export interface EvolutionWebhookAnswer {
  /** `stored`: in the inbox; `duplicate`: it was already; `ignored`: nothing to act on. */
  readonly status: 'stored' | 'duplicate' | 'ignored';
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const defaultBodyLimit = 24 * 1024 * 1024;

/** The route, as a Fastify plugin registered at the root (it authenticates on its own). */
export function createEvolutionWebhookRoutes(options: EvolutionWebhookRoutesOptions): FastifyPluginAsync {
  const { settingsFor, inbox, clock, logger } = options;
  return (app) => {
    app.post<{ Params: { tenantId: string } }>(
      '/webhooks/evolution/:tenantId',
      {
        bodyLimit: options.bodyLimitBytes ?? defaultBodyLimit,
        schema: { hide: true },
        onRequest: async (request, reply) => {
          const { tenantId } = request.params;
          const settings = uuid.test(tenantId) ? await settingsFor(tenantId) : null;
          let refusal: string | null = settings === null ? 'unknown_tenant' : null;
          if (settings !== null) {
            // Header deliveries prove the secret; bearer ones the JWT key, when it is a separate one.
            const hasHeader = request.headers[evolutionWebhookSecretHeader] !== undefined;
            const secret = !hasHeader && settings.jwtKey !== undefined ? settings.jwtKey : settings.secret;
            const verdict = await verifyEvolutionWebhook({ headers: request.headers, secret, now: clock.now() });
            if (!verdict.ok) refusal = verdict.reason;
          }
          if (refusal === null) return;
          logger.warn({ tenantId: uuid.test(tenantId) ? tenantId : 'invalid', reason: refusal }, 'Evolution webhook refused');
          const body = problem(
            { instance: pathOf(request.url), requestId: request.id },
            { status: 401, code: 'unauthorized', detail: 'the delivery does not carry this tenant’s webhook secret' },
          );
          return reply.code(401).type(problemContentType).send(body);
        },
      },
      async (request): Promise<EvolutionWebhookAnswer> => {
        const { tenantId } = request.params;
        const parsed = parseEvolutionWebhook(request.body);
        const now = clock.now();
        const entry = inboxEntry(parsed.event, { tenantId, instance: parsed.envelope.instance, now });
        if (entry === null) {
          logger.debug({ tenantId, event: parsed.envelope.event }, 'Evolution webhook ignored');
          return { status: 'ignored' };
        }
        const stored = await inbox.add({ ...entry, envelope: parsed.envelope });
        return { status: stored ? 'stored' : 'duplicate' };
      },
    );
    return Promise.resolve();
  };
}

/** Where an event goes in the inbox: its dedupe and order keys; `null` for nothing to act on. */
export function inboxEntry(
  event: EvolutionWebhookEvent,
  at: { readonly tenantId: string; readonly instance: string; readonly now: Date },
): Omit<NewInboxEvent, 'envelope'> | null {
  const base = { tenantId: at.tenantId, instance: at.instance, receivedAt: at.now };
  switch (event.kind) {
    case 'message': {
      const { message } = event;
      // `send.message` follows every API send: the dispatcher records those itself.
      if (message.origin === 'send') return null;
      const lead = orderKeyOf(message.counterpart);
      // What was typed on the business phone waits for our own send's record (see the worker):
      // a queue of its own, so that the lead's messages never wait behind it.
      return { ...base, event: 'messages.upsert', dedupeKey: message.providerMessageId, orderKey: message.fromMe ? `out:${lead}` : lead };
    }
    case 'status':
      return {
        ...base,
        event: 'messages.update',
        dedupeKey: `${event.update.providerMessageId}:${event.update.status}`,
        orderKey: `status:${event.update.providerMessageId}`,
      };
    case 'connection':
      return { ...base, event: 'connection.update', dedupeKey: randomUUID(), orderKey: `instance:${event.update.instance}` };
    case 'ignored':
      return null;
  }
}

function orderKeyOf(identity: LeadIdentity): string {
  return identity.kind === 'phone' ? `phone:${identity.phone.e164}` : `lid:${identity.lid}`;
}
