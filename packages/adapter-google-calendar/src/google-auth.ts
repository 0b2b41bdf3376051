/**
 * Access tokens for Google's API, from an OAuth 2 refresh token or a service account.
 *
 * - **OAuth**: a refreshed access token is persisted through the integration's `CredentialStore`
 *   (with core's `refreshCredential`, under the lock), so every process uses the same token until
 *   it is 5 minutes from expiry and one process refreshes it; a refresh token Google rotates is
 *   stored too. Without a store the token is kept in the process.
 * - **Service account**: google-auth-library's `JWT` signs the assertion (with `subject` for
 *   domain-wide delegation) and caches the token in the process.
 *
 * The token endpoint is configurable (`tokenUrl`) for proxies and tests; for a service account
 * the assertion's audience stays Google's token URL and only the request goes to `tokenUrl`.
 * Token endpoint failures become `SdrError`s in `google-calendar-errors.ts`; no token or key
 * ever enters an error.
 */
import { createHash } from 'node:crypto';
import {
  ProviderError,
  refreshCredential,
  throwIfAborted,
  type CallOptions,
  type Clock,
  type CredentialStore,
  type CredentialValue,
  type LockPort,
} from '@sdr/core';
import { JWT, OAuth2Client, type Credentials } from 'google-auth-library';
import { failureOf } from './google-calendar-http.js';
import { googleCalendarProvider, toGoogleCalendarError } from './google-calendar-errors.js';

/** Google's token endpoint. */
export const defaultGoogleTokenUrl = 'https://oauth2.googleapis.com/token';

/** The scope the adapter asks for: events and free/busy of the calendars it is given. */
export const googleCalendarScope = 'https://www.googleapis.com/auth/calendar';

/** How the adapter authenticates. */
export type GoogleCalendarAuth =
  | {
      readonly type: 'oauth';
      readonly clientId: string;
      readonly clientSecret: string;
      /** A refresh token with the calendar scope (offline access). */
      readonly refreshToken: string;
    }
  | {
      readonly type: 'service_account';
      readonly clientEmail: string;
      /** The PEM private key of the service account's JSON key. */
      readonly privateKey: string;
      /** The user to act as (domain-wide delegation); without it the service account's own calendars. */
      readonly subject?: string | undefined;
    };

/** Where refreshed OAuth tokens are kept so that every process shares them. */
export interface GoogleTokenPersistence {
  readonly store: CredentialStore;
  readonly lock: LockPort;
  /** The lock every process refreshing this integration's token takes. */
  readonly lockKey: string;
}

/** Hands out access tokens; `rejected` is a token Google answered 401 to, which is never handed out again. */
export interface GoogleAccessTokens {
  accessToken(options: CallOptions & { readonly rejected?: string }): Promise<string>;
  /** The secrets to scrub from errors. */
  readonly secrets: readonly string[];
}

export interface GoogleAccessTokensOptions {
  readonly auth: GoogleCalendarAuth;
  readonly tokenUrl?: string | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly persistence?: GoogleTokenPersistence | undefined;
}

/** The credential store key of the OAuth tokens. */
export const googleOAuthCredentialKey = 'google-oauth';

/** Tokens are refreshed when they expire within 5 minutes (as google-auth-library does). */
const refreshMarginMs = 5 * 60_000;

interface StoredTokens {
  readonly accessToken: string;
  readonly expiresAt: number;
  /** A refresh token Google rotated, and a digest of the configured one it replaced. */
  readonly refreshToken?: string | undefined;
  readonly configuredDigest: string;
}

/** Creates the token source for `auth`. No I/O until the first token is asked for. */
export function createGoogleAccessTokens(options: GoogleAccessTokensOptions): GoogleAccessTokens {
  return options.auth.type === 'oauth' ? oauthTokens(options, options.auth) : serviceAccountTokens(options, options.auth);
}

function oauthTokens(options: GoogleAccessTokensOptions, auth: Extract<GoogleCalendarAuth, { type: 'oauth' }>): GoogleAccessTokens {
  const configuredDigest = createHash('sha256').update(auth.refreshToken).digest('hex').slice(0, 16);
  const secrets = [auth.clientSecret, auth.refreshToken];
  let cached: StoredTokens | null = null;
  let inFlight: Promise<StoredTokens> | null = null;

  const parse = (value: CredentialValue | null): StoredTokens | null => {
    if (value === null) return null;
    const { accessToken, expiresAt, refreshToken } = value;
    if (typeof accessToken !== 'string' || typeof expiresAt !== 'number' || value.configuredDigest !== configuredDigest) return null;
    return { accessToken, expiresAt, configuredDigest, ...(typeof refreshToken === 'string' ? { refreshToken } : {}) };
  };
  const usable = (tokens: StoredTokens | null, now: Date, rejected: string | undefined): tokens is StoredTokens =>
    tokens !== null && tokens.accessToken !== rejected && tokens.expiresAt - now.getTime() > refreshMarginMs;

  const refresh = async (current: StoredTokens | null, call: CallOptions): Promise<StoredTokens> => {
    const client = new OAuth2Client({
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      endpoints: { oauth2TokenUrl: options.tokenUrl ?? defaultGoogleTokenUrl },
      transporterOptions: transporterOptions(options, call),
    });
    const refreshToken = current?.refreshToken ?? auth.refreshToken;
    client.setCredentials({ refresh_token: refreshToken });
    // The library puts the refresh token it used back into `credentials`; only its 'tokens'
    // event shows the one Google answered with, when Google rotated it.
    let answered: string | null | undefined;
    client.on('tokens', (tokens: Credentials) => {
      answered = tokens.refresh_token;
    });
    const credentials = await tokenCall(options, secrets, call, async () => {
      await client.getAccessToken();
      return client.credentials;
    });
    const latest = answered ?? refreshToken;
    const rotated = latest === auth.refreshToken ? undefined : latest;
    return {
      accessToken: accessTokenOf(credentials),
      expiresAt: credentials.expiry_date ?? options.clock.now().getTime() + 3_600_000,
      configuredDigest,
      ...(rotated ? { refreshToken: rotated } : {}),
    };
  };

  const obtain = async (call: CallOptions, rejected: string | undefined): Promise<StoredTokens> => {
    const { persistence } = options;
    if (persistence === undefined) return refresh(cached, call);
    const value = await refreshCredential({
      store: persistence.store,
      lock: persistence.lock,
      lockKey: persistence.lockKey,
      key: googleOAuthCredentialKey,
      clock: options.clock,
      ...(call.signal ? { signal: call.signal } : {}),
      isUsable: (stored, now) => usable(parse(stored), now, rejected),
      refresh: async (current, refreshOptions) => ({ ...(await refresh(parse(current?.value ?? null), refreshOptions)) }),
    });
    const tokens = parse(value);
    if (tokens === null) {
      throw new ProviderError({
        provider: googleCalendarProvider,
        operation: 'token',
        message: 'the stored tokens do not have the expected shape',
        retryable: true,
      });
    }
    return tokens;
  };

  return {
    secrets,
    async accessToken(call) {
      throwIfAborted(call, { provider: googleCalendarProvider, operation: 'token' });
      if (usable(cached, options.clock.now(), call.rejected)) return cached.accessToken;
      // Concurrent calls of this process share one refresh.
      inFlight ??= obtain(call, call.rejected).finally(() => {
        inFlight = null;
      });
      cached = await inFlight;
      return cached.accessToken;
    },
  };
}

function serviceAccountTokens(
  options: GoogleAccessTokensOptions,
  auth: Extract<GoogleCalendarAuth, { type: 'service_account' }>,
): GoogleAccessTokens {
  const secrets = [auth.privateKey];
  const tokenUrl = options.tokenUrl;
  // gtoken posts to Google's token URL; a configured one receives the same request instead.
  const fetchImplementation: typeof globalThis.fetch =
    tokenUrl === undefined || tokenUrl === defaultGoogleTokenUrl
      ? options.fetch
      : (input, init) => options.fetch(requestUrl(input) === defaultGoogleTokenUrl ? tokenUrl : input, init);
  const client = new JWT({
    email: auth.clientEmail,
    key: auth.privateKey,
    scopes: [googleCalendarScope],
    ...(auth.subject ? { subject: auth.subject } : {}),
    transporterOptions: { fetchImplementation, retry: false, timeout: options.timeoutMs },
  });
  return {
    secrets,
    async accessToken(call) {
      throwIfAborted(call, { provider: googleCalendarProvider, operation: 'token' });
      if (call.rejected !== undefined && client.credentials.access_token === call.rejected) client.setCredentials({});
      const credentials = await tokenCall(options, secrets, call, async () => {
        await client.getAccessToken();
        return client.credentials;
      });
      return accessTokenOf(credentials);
    },
  };
}

function transporterOptions(options: GoogleAccessTokensOptions, call: CallOptions) {
  return {
    fetchImplementation: options.fetch,
    retry: false,
    timeout: options.timeoutMs,
    ...(call.signal ? { signal: call.signal } : {}),
  };
}

function requestUrl(input: Parameters<typeof globalThis.fetch>[0]): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

function accessTokenOf(credentials: Credentials): string {
  if (!credentials.access_token) {
    throw new ProviderError({
      provider: googleCalendarProvider,
      operation: 'token',
      message: 'answered without an access token',
      retryable: true,
    });
  }
  return credentials.access_token;
}

/** Runs a token request, mapping its failure to an `SdrError` that names no secret. */
async function tokenCall<T>(
  options: GoogleAccessTokensOptions,
  secrets: readonly string[],
  call: CallOptions,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throwIfAborted(call, { provider: googleCalendarProvider, operation: 'token' });
    throw toGoogleCalendarError(failureOf(error, options.timeoutMs), { operation: 'token', now: options.clock.now(), secrets });
  }
}
