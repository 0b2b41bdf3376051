/**
 * Refused API keys are limited per client address, so that guessing keys is slow and cheap to
 * refuse. Each refusal takes a token from the address's bucket (`auth-failures:<address>`, on the
 * server's rate limiter: shared by every process when Redis is configured); when the bucket is
 * empty the answer is 429 with Retry-After instead of 401, and the address is blocked in this
 * process until then — its requests are refused before any key is looked up, a valid one
 * included, so a lucky guess teaches nothing while blocked.
 */
import { AuthError, RateLimitedError, type RateRule } from '@sdr/core';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';

/** Refused keys an address may present per minute (and at once) before it is blocked. */
export const authFailuresPerMinute = 20;

const rule: RateRule = { ratePerSecond: authFailuresPerMinute / 60, burst: authFailuresPerMinute };
/** Blocked addresses remembered per process; beyond it the oldest block is forgotten (the shared bucket still counts). */
const maxBlockedAddresses = 10_000;

/** Blocked-until instants by address, per server context (one app, or several sharing a context). */
const blockedByContext = new WeakMap<ServerContext, Map<string, number>>();

function blockedOf(context: ServerContext): Map<string, number> {
  let blocked = blockedByContext.get(context);
  if (blocked === undefined) {
    blocked = new Map();
    blockedByContext.set(context, blocked);
  }
  return blocked;
}

function tooManyFailures(retryAfterMs: number): RateLimitedError {
  return new RateLimitedError(`too many refused API keys from this address: at most ${authFailuresPerMinute} per minute`, {
    retryAfterMs,
  });
}

/** Runs `authenticate` unless the request's address is blocked; counts its `AuthError`s against the address. */
export async function limitAuthFailures<T>(
  context: ServerContext,
  request: FastifyRequest,
  authenticate: () => T | Promise<T>,
): Promise<T> {
  const address = request.ip;
  const blocked = blockedOf(context);
  const until = blocked.get(address);
  if (until !== undefined) {
    const remainingMs = until - context.clock.now().getTime();
    if (remainingMs > 0) throw tooManyFailures(remainingMs);
    blocked.delete(address);
  }
  try {
    return await authenticate();
  } catch (error) {
    if (!AuthError.isInstance(error)) throw error;
    const decision = await context.rateLimiter.consume(`auth-failures:${address}`, rule);
    if (decision.allowed) throw error;
    if (blocked.size >= maxBlockedAddresses) {
      const oldest = blocked.keys().next();
      if (oldest.done !== true) blocked.delete(oldest.value);
    }
    blocked.set(address, context.clock.now().getTime() + decision.retryAfterMs);
    throw tooManyFailures(decision.retryAfterMs);
  }
}
