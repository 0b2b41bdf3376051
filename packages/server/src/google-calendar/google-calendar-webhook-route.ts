/**
 * `POST /webhooks/google/calendar/{tenantId}`: Google Calendar's push notifications. A
 * notification has no body; its headers name the channel (`X-Goog-Channel-ID`) and echo the
 * tenant's secret token (`X-Goog-Channel-Token`). Both are checked against the tenant's stored
 * channel and its integration (`GoogleCalendarSync.notify`): anything else is a 401 and nothing is
 * done. An accepted notification is answered 200 at once; the sync it asks for runs afterwards.
 */
import type { Logger } from '@sdr/core';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { pathOf } from '../http/logging.js';
import { problem, problemContentType } from '../http/problem.js';
import type { GoogleCalendarSync } from './google-calendar-sync.js';

/** Options of `createGoogleCalendarWebhookRoutes`. */
export interface GoogleCalendarWebhookRoutesOptions {
  readonly sync: Pick<GoogleCalendarSync, 'notify'>;
  readonly logger: Logger;
}

/** The answer to an accepted notification. */
export interface GoogleCalendarWebhookAnswer {
  readonly status: 'accepted';
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Notifications carry no body; anything larger than this is not one. */
const bodyLimitBytes = 16 * 1024;

/** The route, as a Fastify plugin registered at the root (it authenticates on its own). */
export function createGoogleCalendarWebhookRoutes(options: GoogleCalendarWebhookRoutesOptions): FastifyPluginAsync {
  const { sync, logger } = options;
  return (app) => {
    // Whatever content type a notification declares, its body is not read.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
      done(null, null);
    });
    app.post<{ Params: { tenantId: string } }>(
      '/webhooks/google/calendar/:tenantId',
      { bodyLimit: bodyLimitBytes, schema: { hide: true } },
      async (request, reply): Promise<GoogleCalendarWebhookAnswer | FastifyReply> => {
        const { tenantId } = request.params;
        const headers = { get: (name: string) => headerValue(request.headers[name.toLowerCase()]) };
        const verdict = uuid.test(tenantId) ? await sync.notify(tenantId, headers) : ({ accepted: false, reason: 'not_google' } as const);
        if (!verdict.accepted) {
          logger.warn(
            { tenantId: uuid.test(tenantId) ? tenantId : 'invalid', reason: verdict.reason },
            'Google Calendar notification refused',
          );
          const body = problem(
            { instance: pathOf(request.url), requestId: request.id },
            { status: 401, code: 'unauthorized', detail: 'the notification does not name this tenant’s Google Calendar channel and token' },
          );
          return reply.code(401).type(problemContentType).send(body);
        }
        return { status: 'accepted' };
      },
    );
    return Promise.resolve();
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
