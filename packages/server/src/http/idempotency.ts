/**
 * `Idempotency-Key` on POSTs. The request is fingerprinted (method, path, tenant, canonical
 * body); the same key with the same fingerprint replays the stored status and body (with
 * `Idempotent-Replayed: true`), with another fingerprint it is a 409. Two requests with one key
 * at the same time must not both execute: the key is held under a lock while the first runs,
 * and the second gets a 409 telling it to retry — by then the response is stored, and replayed.
 * Responses are stored for 2xx and 4xx outcomes of the handler; 5xx and 429 are not, so that a
 * retry can still succeed.
 */
import { ConflictError, ValidationError, canonicalHash, type IdempotentResponse } from '@sdr/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { ServerContext } from '../context.js';
import { sha256Hex } from './auth/api-keys.js';
import { tenantOf, type IdempotencyClaim } from './request-context.js';

/** How long a response stays replayable. */
export const idempotencyTtlMs = 24 * 3_600_000;
/** How long one execution may hold its key before a duplicate may run. */
export const idempotencyLeaseMs = 120_000;
/** The response header marking a replay. */
export const replayedHeader = 'idempotent-replayed';

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/** The key sent with the request, validated; `undefined` when none was sent. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !keyPattern.test(raw)) {
    throw ValidationError.forField('headers.idempotency-key', 'must be 1 to 255 visible ASCII characters, sent once');
  }
  return raw;
}

/**
 * Where a key is kept: under a tenant (keys are scoped per tenant), and — for a caller that is
 * not that tenant, e.g. the operator — in a namespace of its own, so that its keys never meet the
 * tenant's.
 */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly namespace?: string;
}

/**
 * The pre-handler of POST routes. `scopeOf` names the tenant the key belongs to (or an
 * `IdempotencyScope`); `null` lets the request run without idempotency.
 */
export function idempotencyPreHandler(
  context: ServerContext,
  scopeOf: (request: FastifyRequest, key: string) => string | IdempotencyScope | null | Promise<string | IdempotencyScope | null>,
): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (request.method !== 'POST') return;
    const sent = idempotencyKeyOf(request);
    if (sent === undefined) return;
    const scope = await scopeOf(request, sent);
    if (scope === null) return;
    const { tenantId, namespace } = typeof scope === 'string' ? { tenantId: scope, namespace: undefined } : scope;
    const key = namespace === undefined ? sent : `${namespace}:${sent}`;
    const requestHash = canonicalHash({ method: request.method, url: request.url, tenantId, body: request.body ?? null });
    const lease = await context.lock.acquire(`idempotency:${tenantId}:${sha256Hex(key)}`, { ttlMs: idempotencyLeaseMs });
    if (lease === null) {
      throw new ConflictError('a request with this Idempotency-Key is still being processed: retry shortly to get its response', {
        retryable: true,
      });
    }
    const claim: IdempotencyClaim = { tenantId, key, requestHash, lease, settled: false };
    request.idempotency = claim;
    const stored = await context.store.idempotencyKeys
      .lookup({ tenantId, key, requestHash, now: context.clock.now() })
      .catch(async (error: unknown) => {
        await release(context, claim);
        throw ConflictError.isInstance(error)
          ? new ConflictError('this Idempotency-Key was already used for another request (method, path or body differ)')
          : error;
      });
    if (stored === null) return;
    await release(context, claim);
    // Returning the reply ends the hook chain: the handler does not run again.
    return replay(reply, stored);
  };
}

/** The on-send hook: stores the response of a keyed request, then lets the key go. */
export function idempotencyOnSend(context: ServerContext): onSendAsyncHookHandler {
  return async (request, reply, payload) => {
    const claim = request.idempotency;
    if (claim === null || claim.settled) return payload;
    try {
      const status = reply.statusCode;
      if (status < 500 && status !== 429 && typeof payload === 'string') {
        const body: unknown = JSON.parse(payload);
        const replayBody = request.routeOptions.config.replayBody;
        const response: IdempotentResponse = {
          status,
          body: (replayBody ? replayBody(body) : body) as IdempotentResponse['body'],
          headers: storedHeaders(reply),
        };
        await context.store.idempotencyKeys.save({
          tenantId: claim.tenantId,
          key: claim.key,
          requestHash: claim.requestHash,
          response,
          now: context.clock.now(),
          ttlMs: idempotencyTtlMs,
        });
      }
    } catch (error) {
      // The response itself stands; only its replay is lost.
      request.log.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'could not store the Idempotency-Key response');
    } finally {
      await release(context, claim);
    }
    return payload;
  };
}

/** Lets the key go if the response was never sent (the hook chain broke off). */
export async function releaseIdempotency(context: ServerContext, request: FastifyRequest): Promise<void> {
  if (request.idempotency !== null) await release(context, request.idempotency);
}

async function release(context: ServerContext, claim: IdempotencyClaim): Promise<void> {
  if (claim.settled) return;
  claim.settled = true;
  await context.lock.release(claim.lease).catch(() => false);
}

function replay(reply: FastifyReply, stored: IdempotentResponse): FastifyReply {
  for (const [name, value] of Object.entries(stored.headers)) reply.header(name, value);
  // A string payload is sent as it is: the stored body is already the serialised response.
  return reply.code(stored.status).header(replayedHeader, 'true').send(JSON.stringify(stored.body));
}

function storedHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'location']) {
    const value = reply.getHeader(name);
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/**
 * `routes` under `/v1` as tenant routes: a tenant API key, and `Idempotency-Key` honoured on their
 * POSTs (scoped to the tenant).
 */
export function tenantScopedRoutes(context: ServerContext, routes: FastifyPluginCallbackZod): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      async (api) => {
        api.addHook('onRequest', app.sdrAuth.tenant);
        api.addHook(
          'preHandler',
          idempotencyPreHandler(context, (request) => tenantOf(request).id),
        );
        api.addHook('onSend', idempotencyOnSend(context));
        await api.register(routes);
      },
      { prefix: '/v1' },
    );
  };
}
