/**
 * `POST /webhooks/kommo/{tenantId}/{secret}`: Kommo's webhooks (form-encoded, PHP-style keys,
 * several leads per delivery). Kommo signs nothing, so a delivery proves itself by its URL:
 *
 * 1. Before the body is read (`onRequest`), the secret of the path is compared in constant time
 *    with the tenant's (`verifyKommoWebhook`); a wrong one — or a tenant whose CRM is not Kommo —
 *    is a 401 and nothing is read.
 * 2. The body's `account[id]` must be the tenant's Kommo account: otherwise a 403, nothing processed.
 * 3. The delivery is written to the inbox, then the answer is 200; the inbox worker applies it
 *    afterwards (`applyKommoDelivery`), since re-fetching its leads is paced under Kommo's own
 *    rate limit. A re-sent delivery is stored once.
 *
 * The secret never reaches a log line, a metric label or an error: request logs and problem
 * documents carry the path through `pathOf`, which redacts it, and metrics the route template.
 */
import { parseKommoWebhook, verifyKommoWebhook, type ParsedKommoWebhook } from '@sdr/adapter-kommo';
import type { Logger } from '@sdr/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/logging.js';
import { problem, problemContentType } from '../http/problem.js';
import type { KommoWebhookSettingsFor } from './kommo-webhook-settings.js';

/** Options of `createKommoWebhookRoutes`. */
export interface KommoWebhookRoutesOptions {
  readonly settingsFor: KommoWebhookSettingsFor;
  /** Stores an accepted delivery (the inbox); the answer is sent once it resolves, a failure is a 5xx Kommo retries. */
  readonly accept: (input: { readonly tenantId: string; readonly delivery: ParsedKommoWebhook; readonly body: string }) => Promise<void>;
  readonly logger: Logger;
  /** Largest delivery accepted, in bytes (default 1 MiB). */
  readonly bodyLimitBytes?: number;
}

/** The answer to an accepted delivery. */
export interface KommoWebhookAnswer {
  readonly status: 'accepted';
  /** Lead events the delivery carried. */
  readonly leads: number;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const defaultBodyLimit = 1024 * 1024;
const formContentType = 'application/x-www-form-urlencoded';

type KommoRequest = FastifyRequest<{ Params: { tenantId: string; secret: string } }>;

function refuse(request: KommoRequest, reply: FastifyReply, status: 401 | 403, detail: string): FastifyReply {
  const body = problem(
    { instance: pathOf(request.url), requestId: request.id },
    { status, code: status === 401 ? 'unauthorized' : 'forbidden', detail },
  );
  return reply.code(status).type(problemContentType).send(body);
}

/** The route, as a Fastify plugin registered at the root (it authenticates on its own). */
export function createKommoWebhookRoutes(options: KommoWebhookRoutesOptions): FastifyPluginAsync {
  const { settingsFor, logger } = options;
  return (app) => {
    // Kommo posts forms; the body is kept as text and parsed by the adapter (bounded, PHP-style keys).
    app.addContentTypeParser(formContentType, { parseAs: 'string' }, (_request, body, done) => {
      done(null, body);
    });
    app.post<{ Params: { tenantId: string; secret: string } }>(
      '/webhooks/kommo/:tenantId/:secret',
      {
        bodyLimit: options.bodyLimitBytes ?? defaultBodyLimit,
        schema: { hide: true },
        onRequest: async (request, reply) => {
          const { tenantId, secret } = request.params;
          const settings = uuid.test(tenantId) ? settingsFor(tenantId) : null;
          const verdict =
            settings === null
              ? null
              : verifyKommoWebhook({
                  expectedSecret: settings.secret,
                  givenSecret: secret,
                  expectedAccountId: settings.accountId,
                  delivery: { accountId: settings.accountId },
                });
          if (verdict?.ok === true) return;
          logger.warn(
            { tenantId: uuid.test(tenantId) ? tenantId : 'invalid', reason: settings === null ? 'unknown_tenant' : 'wrong_secret' },
            'Kommo webhook refused',
          );
          return refuse(request, reply, 401, 'the URL does not carry this tenant’s Kommo webhook secret');
        },
      },
      async (request, reply): Promise<KommoWebhookAnswer | FastifyReply> => {
        const { tenantId, secret } = request.params;
        const settings = settingsFor(tenantId);
        const body = typeof request.body === 'string' ? request.body : '';
        const delivery = parseKommoWebhook(body);
        const verdict =
          settings === null
            ? ({ ok: false, status: 401, reason: 'wrong_secret' } as const)
            : verifyKommoWebhook({ expectedSecret: settings.secret, givenSecret: secret, expectedAccountId: settings.accountId, delivery });
        if (!verdict.ok) {
          logger.warn({ tenantId, reason: verdict.reason }, 'Kommo webhook refused');
          return verdict.status === 401
            ? refuse(request, reply, 401, 'the URL does not carry this tenant’s Kommo webhook secret')
            : refuse(request, reply, 403, 'the delivery’s account[id] is not this tenant’s Kommo account');
        }
        await options.accept({ tenantId, delivery, body });
        return { status: 'accepted', leads: delivery.leads.length };
      },
    );
    return Promise.resolve();
  };
}
