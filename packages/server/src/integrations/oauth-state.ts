/**
 * The `state` of an OAuth authorization-code flow: what the server gives the provider with the
 * person it sends there, and reads back on the redirect. It names the tenant, the kind, the
 * provider, a random nonce, where the configuration to connect comes from, and when it expires,
 * and it is signed with HMAC-SHA256 under a key derived from the server's encryption key
 * (`SecretBox.deriveKey('oauth-state')`): a state the server did not issue, or one altered on the
 * way, fails its signature. Its content is not secret (no credential is in it).
 *
 * Format: `<payload>.<signature>`, both base64url; the payload is JSON.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError, pluginKinds, type Clock, type PluginKind } from '@sdr/core';
import { z } from 'zod';

/** Where the configuration being connected comes from. */
export type OAuthConfigSource = 'pending' | 'stored';

/** What a state says. */
export interface OAuthState {
  readonly tenantId: string;
  readonly kind: PluginKind;
  readonly provider: string;
  /** Random; identifies the state (it is accepted once). */
  readonly nonce: string;
  /** `pending`: the configuration given when the flow started; `stored`: the tenant's current one. */
  readonly source: OAuthConfigSource;
  readonly expiresAt: Date;
}

/** Issues and verifies states. */
export interface OAuthStateSigner {
  issue(input: Omit<OAuthState, 'nonce' | 'expiresAt'>): { readonly state: string; readonly claims: OAuthState };
  /** The claims of a state this server issued and that has not expired; a `ValidationError` on `state` otherwise. */
  verify(state: string): OAuthState;
}

const payloadSchema = z.strictObject({
  v: z.literal(1),
  t: z.string().min(1),
  k: z.enum(pluginKinds),
  p: z.string().min(1),
  n: z.string().min(16),
  s: z.enum(['pending', 'stored']),
  e: z.number().int(),
});

/** Creates a signer whose states live `ttlMs`. */
export function createOAuthStateSigner(options: { readonly key: Buffer; readonly clock: Clock; readonly ttlMs: number }): OAuthStateSigner {
  const { key, clock, ttlMs } = options;
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();
  const refused = (why: string) => ValidationError.forField('state', why);

  return {
    issue(input) {
      const claims: OAuthState = {
        ...input,
        nonce: randomBytes(18).toString('base64url'),
        expiresAt: new Date(clock.now().getTime() + ttlMs),
      };
      const payload = Buffer.from(
        JSON.stringify({
          v: 1,
          t: claims.tenantId,
          k: claims.kind,
          p: claims.provider,
          n: claims.nonce,
          s: claims.source,
          e: claims.expiresAt.getTime(),
        }),
      ).toString('base64url');
      return { state: `${payload}.${sign(payload).toString('base64url')}`, claims };
    },

    verify(state) {
      const [payload = '', signature = '', ...rest] = state.split('.');
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw refused('was not issued by this server (its signature does not match): start the connection again');
      }
      let parsed: z.output<typeof payloadSchema>;
      try {
        parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      } catch {
        throw refused('is signed but unreadable: start the connection again');
      }
      const expiresAt = new Date(parsed.e);
      if (expiresAt.getTime() <= clock.now().getTime()) {
        throw refused(`expired at ${expiresAt.toISOString()}: start the connection again`);
      }
      return { tenantId: parsed.t, kind: parsed.k, provider: parsed.p, nonce: parsed.n, source: parsed.s, expiresAt };
    },
  };
}
