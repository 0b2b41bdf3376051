/**
 * Kommo's two ways to authenticate: a long-lived token (a private integration's, no refresh), or
 * OAuth 2 — an access token for a day and a refresh token that **rotates on every refresh**. The
 * OAuth source keeps `{ accessToken, refreshToken, expiresAt }` in the tenant's `CredentialStore`
 * and refreshes through core's `refreshCredential` (under the integration's lock, compare-and-set),
 * so two processes never both spend the same refresh token and the rotated one is never lost.
 * It refreshes a minute before expiry, and once after a 401 (the token was revoked early).
 */
import {
  AuthError,
  refreshCredential,
  type CallOptions,
  type Clock,
  type CredentialStore,
  type CredentialValue,
  type LockPort,
} from '@sdr/core';
import { kommoTokenSchema } from './kommo-api.js';
import type { KommoClient, KommoTokenSource } from './kommo-client.js';
import { kommoProvider, toKommoError } from './kommo-errors.js';

/** How the adapter authenticates with Kommo. */
export type KommoAuth =
  | { readonly type: 'long_lived'; readonly token: string }
  | {
      readonly type: 'oauth';
      readonly clientId: string;
      readonly clientSecret: string;
      readonly redirectUri: string;
      /** The refresh token to start from when the credential store holds none yet. */
      readonly refreshToken?: string | undefined;
    };

/** The key of the OAuth tokens in the integration's credential store. */
export const kommoOAuthCredentialKey = 'kommo-oauth';

/** Refresh this long before the access token expires. */
const expiryMarginMs = 60_000;

/** What an OAuth token source needs from the host. */
export interface KommoOAuthDeps {
  readonly credentials: CredentialStore;
  readonly lock: LockPort;
  readonly clock: Clock;
  /** The lock all processes refreshing this account's token take. */
  readonly lockKey: string;
}

/** The secret strings of an auth setting (for scrubbing errors). */
export function authSecrets(auth: KommoAuth): string[] {
  return auth.type === 'long_lived' ? [auth.token] : [auth.clientSecret, ...(auth.refreshToken === undefined ? [] : [auth.refreshToken])];
}

/** A token source that always answers the long-lived token; a 401 cannot be cured by refreshing. */
export function longLivedTokenSource(token: string): KommoTokenSource {
  return {
    token: () => Promise.resolve(token),
    renew: () => Promise.resolve(null),
  };
}

interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

function storedTokens(value: CredentialValue | undefined): StoredTokens | null {
  if (value === undefined) return null;
  const { accessToken, refreshToken, expiresAt } = value;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresAt !== 'number') return null;
  return { accessToken, refreshToken, expiresAt };
}

/**
 * An OAuth token source over `client` (whose anonymous calls reach `/oauth2/access_token`, paced
 * like every other request of the account).
 */
export function oauthTokenSource(
  auth: Extract<KommoAuth, { type: 'oauth' }>,
  client: () => KommoClient,
  deps: KommoOAuthDeps,
): KommoTokenSource {
  const obtain = async (isUsable: (tokens: StoredTokens, now: Date) => boolean, options: CallOptions): Promise<string> => {
    const value = await refreshCredential({
      store: deps.credentials,
      lock: deps.lock,
      lockKey: deps.lockKey,
      key: kommoOAuthCredentialKey,
      clock: deps.clock,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      isUsable: (stored, now) => {
        const tokens = storedTokens(stored);
        return tokens !== null && isUsable(tokens, now);
      },
      refresh: async (current, refreshOptions) => {
        const refreshToken = storedTokens(current?.value)?.refreshToken ?? auth.refreshToken;
        if (refreshToken === undefined || refreshToken === '') {
          throw new AuthError('Kommo OAuth has no refresh token yet: connect the account (authorization code) first', {
            provider: kommoProvider,
          });
        }
        return exchange(client(), auth, { grant_type: 'refresh_token', refresh_token: refreshToken }, deps.clock, refreshOptions);
      },
    });
    const tokens = storedTokens(value);
    if (tokens === null)
      throw new AuthError('the stored Kommo OAuth tokens are unreadable: connect the account again', { provider: kommoProvider });
    return tokens.accessToken;
  };
  const fresh = (tokens: StoredTokens, now: Date) => tokens.expiresAt - expiryMarginMs > now.getTime();
  return {
    token: (options) => obtain(fresh, options),
    renew: (rejected, options) => obtain((tokens, now) => tokens.accessToken !== rejected && fresh(tokens, now), options),
  };
}

/** `POST /oauth2/access_token`: the tokens to store (`expiresAt` in epoch ms). */
export async function exchange(
  client: KommoClient,
  auth: Extract<KommoAuth, { type: 'oauth' }>,
  grant:
    | { readonly grant_type: 'refresh_token'; readonly refresh_token: string }
    | { readonly grant_type: 'authorization_code'; readonly code: string },
  clock: Clock,
  options: CallOptions,
): Promise<CredentialValue> {
  const outcome = await client.call({
    operation: 'oauth.token',
    method: 'post',
    path: 'oauth2/access_token',
    anonymous: true,
    json: { client_id: auth.clientId, client_secret: auth.clientSecret, redirect_uri: auth.redirectUri, ...grant },
    schema: kommoTokenSchema,
    signal: options.signal,
  });
  if (!outcome.ok) {
    const { failure } = outcome;
    const secrets = [auth.clientSecret, 'refresh_token' in grant ? grant.refresh_token : grant.code];
    // The token endpoint answers 400/401 for a spent or revoked refresh token: a person must reconnect.
    if (failure.kind === 'http' && (failure.status === 400 || failure.status === 401)) {
      throw new AuthError(
        `Kommo refused the OAuth ${grant.grant_type} grant of account ${client.account} (${failure.status}): connect the account again`,
        {
          provider: kommoProvider,
          details: { account: client.account, status: failure.status },
        },
      );
    }
    throw toKommoError(failure, { operation: 'oauth.token', account: client.account, now: clock.now(), secrets });
  }
  const tokens = outcome.value;
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: clock.now().getTime() + tokens.expires_in * 1000,
  };
}
