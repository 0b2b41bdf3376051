/**
 * `GET /v1/events/stream`: the caller's tenant's domain events as server-sent events, for the
 * console's live board and lead view.
 *
 * Authenticated like every tenant route, with `Authorization: Bearer <key>`: the console reads the
 * stream with `fetch` (which, unlike `EventSource`, sends headers), so no key or token ever goes
 * into a URL and no second kind of credential exists. A stream lives at most `maxLifetimeMs`
 * (default 5 minutes) and then ends with an `end` event: the client reconnects, and so presents
 * its key again — a revoked key stops receiving within that time.
 *
 * Wire format: a `ready` event first (`{ "tenantId" }`), then one event per domain event, named
 * by it (`message.sent`, `stage.changed`, …) with its payload as JSON data and a feed id; a comment
 * every `keepAliveMs` keeps proxies from closing an idle stream. Open streams are ended when the
 * server closes, so that a graceful shutdown never waits on a browser.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../http/request-context.js';
import { errorResponses } from '../http/schemas/common.js';
import type { TenantEvent, TenantEventFeed } from './event-feed.js';

/** Options of `createEventStreamRoutes`. */
export interface EventStreamRoutesOptions {
  readonly feed: TenantEventFeed;
  /** A comment is sent this often (default 15 s). */
  readonly keepAliveMs?: number;
  /** A stream is ended after this long (default 5 min); the client reconnects. */
  readonly maxLifetimeMs?: number;
}

/** The media type of the stream. */
export const eventStreamContentType = 'text/event-stream; charset=utf-8';

/** How long a browser waits before reconnecting after the stream ended (the SSE `retry` field). */
const reconnectDelayMs = 2000;

/** One SSE frame. `data` is JSON on a single line. */
function frame(input: { readonly event: string; readonly data: unknown; readonly id?: string }): string {
  return `${input.id === undefined ? '' : `id: ${input.id}\n`}event: ${input.event}\ndata: ${JSON.stringify(input.data)}\n\n`;
}

/** The stream route; see the module comment. */
export function createEventStreamRoutes(options: EventStreamRoutesOptions): FastifyPluginAsync {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxLifetimeMs = options.maxLifetimeMs ?? 5 * 60_000;
  const open = new Set<() => void>();

  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', app.sdrAuth.tenant);
    app.addHook('preClose', (done) => {
      for (const end of [...open]) end();
      done();
    });

    app.get(
      '/v1/events/stream',
      {
        schema: {
          tags: ['events'],
          summary: 'The tenant’s domain events, live (server-sent events)',
          description:
            'A `text/event-stream` of this tenant’s domain events — `ready` first, then one event per domain event (`lead.created`, `message.sent`, `stage.changed`, `appointment.booked`, …) with its payload as JSON. Authenticate with the `Authorization` header (read the stream with `fetch`); a stream ends after 5 minutes with an `end` event, and the client reconnects.',
          produces: ['text/event-stream'],
          response: { 200: z.string().describe('The event stream.'), ...errorResponses },
        },
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': eventStreamContentType,
          'cache-control': 'no-store',
          'x-accel-buffering': 'no',
        });
        response.write(`retry: ${reconnectDelayMs}\n\n`);
        response.write(frame({ event: 'ready', data: { tenantId: tenant.id } }));

        const send = (event: TenantEvent) => {
          response.write(frame({ event: event.name, data: event.data, id: event.id }));
        };
        const unsubscribe = options.feed.subscribe(tenant.id, send);
        const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          unsubscribe();
          clearInterval(keepAlive);
          clearTimeout(lifetime);
          open.delete(end);
          if (!response.writableEnded) response.end(frame({ event: 'end', data: { reconnect: true } }));
        };
        const lifetime = setTimeout(end, maxLifetimeMs);
        open.add(end);
        response.on('close', end);
      },
    );
    return Promise.resolve();
  };
}
