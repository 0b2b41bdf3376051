/**
 * What a request carries once authenticated: who is calling (a tenant's key, or the operator)
 * and, for a tenant, the tenant itself — the only tenant id any tenant route uses.
 */
import { AuthError, type ApiKey, type Tenant } from '@sdr/core';
import type { Lease } from '@sdr/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The caller of a request. */
export type Caller = { readonly kind: 'tenant'; readonly tenant: Tenant; readonly apiKey: ApiKey } | { readonly kind: 'operator' };

/** An `Idempotency-Key` request being executed: its response is stored when it is sent. */
export interface IdempotencyClaim {
  readonly tenantId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly lease: Lease;
  /** Set once the response was stored or the lease released. */
  settled: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of tenant and operator routes. */
    caller: Caller | null;
    /** Set by the idempotency hook while a keyed POST executes. */
    idempotency: IdempotencyClaim | null;
  }
  interface FastifyContextConfig {
    /**
     * What of a response may be stored for an `Idempotency-Key` replay: responses that show a
     * secret once (a new API key) are stored without it.
     */
    readonly replayBody?: (body: unknown) => unknown;
  }
}

/** The tenant of an authenticated tenant request. */
export function tenantOf(request: FastifyRequest): Tenant {
  const caller = request.caller;
  if (caller?.kind !== 'tenant') throw new AuthError('this route needs a tenant API key');
  return caller.tenant;
}

/** Adds bindings (`tenantId`, `leadId`) to the request's logger, and to the reply's. */
export function bindLog(request: FastifyRequest, reply: FastifyReply, bindings: Record<string, string>): void {
  const child = request.log.child(bindings);
  request.log = child;
  reply.log = child;
}
