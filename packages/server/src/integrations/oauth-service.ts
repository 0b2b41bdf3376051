/**
 * Connecting an integration by OAuth 2 (authorization code), for plugins that have an `oauth` flow.
 *
 * `start` answers the provider's authorization URL with a signed, expiring `state` (see
 * `oauth-state.ts`). The configuration to connect is either the one given to `start` (a first
 * connection: it cannot be saved with `PUT` yet, because checking it needs the tokens the flow
 * obtains) — validated by the plugin's schema and kept sealed in the integration's credential
 * store as the *pending* one, the tenant's integrations unchanged — or the tenant's stored one (a
 * reconnection, e.g. after a refresh token was revoked).
 *
 * `callback` (no API key: the state authenticates) verifies the state, consumes it once — an
 * `INSERT … ON CONFLICT DO NOTHING` into `oauth_states_used`, so a replayed state is refused even
 * when two requests race — then lets the plugin exchange the code (`oauth.exchangeCode`, which
 * keeps tokens in the credential store) and saves the configuration it returns through the
 * integration service's `set`: validated, sealed and versioned exactly like `PUT`.
 */
import {
  ConflictError,
  ValidationError,
  validatePluginConfig,
  type AnyAdapterPlugin,
  type Clock,
  type PluginDeps,
  type PluginKind,
} from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { instant } from '../sandbox/sandbox-sql.js';
import { parseKind, unprocessable, type IntegrationResource, type IntegrationService } from './integration-service.js';
import type { IntegrationView } from './integration-view.js';
import type { OAuthStateSigner } from './oauth-state.js';
import type { PluginRegistry } from './port-resolver.js';

/** What `start` answers. */
export interface OAuthStart {
  readonly provider: string;
  /** Where to send the person who connects the account. */
  readonly url: string;
  readonly state: string;
  /** Where the provider sends them back (register it with the provider). */
  readonly redirectUri: string;
  readonly expiresAt: Date;
}

/** What a successful `callback` answers. */
export interface OAuthConnected {
  readonly tenantId: string;
  readonly integration: IntegrationResource;
}

/** Options of `createOAuthService`. */
export interface OAuthServiceOptions {
  readonly db: Database;
  readonly plugins: PluginRegistry;
  readonly view: IntegrationView;
  readonly integrations: IntegrationService;
  readonly signer: OAuthStateSigner;
  readonly clock: Clock;
  readonly depsFor: (tenantId: string, kind: PluginKind) => PluginDeps;
  /** `SDR_PUBLIC_BASE_URL`; `null`: OAuth cannot be started (the provider would have nowhere to redirect). */
  readonly redirectBaseUrl: string | null;
  readonly schema?: string;
}

/** The OAuth flow (see the module comment). */
export interface OAuthService {
  start(input: {
    readonly tenantId: string;
    readonly kind: string;
    /** Required with `config`; otherwise, when given, must be the stored integration's provider. */
    readonly provider?: string | undefined;
    /** A configuration to connect (a first connection); absent: the stored one. */
    readonly config?: unknown;
  }): Promise<OAuthStart>;
  callback(input: { readonly provider: string; readonly code: string; readonly state: string }): Promise<OAuthConnected>;
  /** `<SDR_PUBLIC_BASE_URL>/oauth/<provider>/callback`. */
  redirectUriFor(provider: string): string;
}

/** The credential-store key of a configuration waiting for its authorization code. */
export function pendingConfigKey(provider: string): string {
  return `oauth-pending:${provider}`;
}

/**
 * `<base>/oauth/<provider>/callback`; without a base (`SDR_PUBLIC_BASE_URL` unset) a 422 naming
 * the setting: the provider would have nowhere to send the person back.
 */
export function oauthRedirectUri(redirectBaseUrl: string | null, provider: string): string {
  if (redirectBaseUrl === null) {
    throw unprocessable(
      ValidationError.forField(
        'SDR_PUBLIC_BASE_URL',
        'is not set: OAuth needs the public URL of this server, where the provider redirects to /oauth/{provider}/callback',
      ),
    );
  }
  return `${redirectBaseUrl}/oauth/${encodeURIComponent(provider)}/callback`;
}

/** Creates the service. */
export function createOAuthService(options: OAuthServiceOptions): OAuthService {
  const { db, plugins, view, integrations, signer, clock } = options;
  const usedStates = `${quoteIdentifier(options.schema ?? serverSchema)}.oauth_states_used`;

  const oauthPlugin = (kind: PluginKind, provider: string) => {
    const plugin: AnyAdapterPlugin | undefined = plugins.get(kind)?.get(provider);
    const withOAuth = [...(plugins.get(kind)?.values() ?? [])].filter((known) => known.oauth !== undefined).map((known) => known.provider);
    if (plugin?.oauth === undefined) {
      throw unprocessable(
        ValidationError.forField(
          'provider',
          `${kind} provider ${JSON.stringify(provider)} has no OAuth flow; ${kind} providers with one: ${withOAuth.sort().join(', ') || 'none'}`,
        ),
      );
    }
    return { plugin, oauth: plugin.oauth };
  };

  const redirectUriFor = (provider: string): string => oauthRedirectUri(options.redirectBaseUrl, provider);

  const pendingOf = async (deps: PluginDeps, provider: string, nonce: string): Promise<unknown> => {
    const pending = await deps.credentials.get(pendingConfigKey(provider));
    if (pending?.value['nonce'] !== nonce) {
      throw ValidationError.forField('state', 'belongs to a connection that was started again since: use the newest link');
    }
    return pending.value['config'];
  };

  return {
    redirectUriFor,

    async start(input) {
      const kind = parseKind(input.kind);
      const given = input.config !== undefined;
      const stored = view.configurationOf(input.tenantId, kind);
      let provider: string;
      if (given) {
        if (input.provider === undefined) throw unprocessable(ValidationError.forField('provider', 'is required with config'));
        provider = input.provider;
      } else {
        if (stored === null) {
          throw unprocessable(
            ValidationError.forField('config', `is required: the tenant has no ${kind} integration configured to reconnect`),
          );
        }
        if (input.provider !== undefined && input.provider !== stored.provider) {
          throw unprocessable(
            ValidationError.forField('provider', `the stored ${kind} integration is ${stored.provider}; give config to connect another`),
          );
        }
        provider = stored.provider;
      }
      const { plugin, oauth } = oauthPlugin(kind, provider);
      let config: unknown;
      try {
        config = given ? validatePluginConfig(plugin, input.config) : stored?.config;
      } catch (error) {
        throw ValidationError.isInstance(error) ? unprocessable(error) : error;
      }
      const redirectUri = redirectUriFor(provider);
      const { state, claims } = signer.issue({ tenantId: input.tenantId, kind, provider, source: given ? 'pending' : 'stored' });
      if (given) {
        const credentials = options.depsFor(input.tenantId, kind).credentials;
        const key = pendingConfigKey(provider);
        const current = await credentials.get(key);
        if (!(await credentials.compareAndSet(key, { nonce: claims.nonce, config }, current?.version ?? null))) {
          throw new ConflictError(`another ${kind} connection was started at the same moment: start again`, { retryable: true });
        }
      }
      return { provider, url: oauth.authorizationUrl({ config, state, redirectUri }), state, redirectUri, expiresAt: claims.expiresAt };
    },

    async callback(input) {
      const claims = signer.verify(input.state);
      if (claims.provider !== input.provider) {
        throw ValidationError.forField('state', `was issued for ${claims.provider}, not ${input.provider}`);
      }
      // Consumed before anything else: a state works once, whatever happens next.
      const inserted = await db.write(
        'oauth.states.use',
        `INSERT INTO ${usedStates} (state_id, used_at) VALUES ($1, $2::timestamptz) ON CONFLICT (state_id) DO NOTHING RETURNING state_id`,
        [claims.nonce, instant(clock.now())],
      );
      if (inserted.length === 0) throw ValidationError.forField('state', 'was already used: start the connection again');

      const { plugin, oauth } = oauthPlugin(claims.kind, claims.provider);
      const deps = options.depsFor(claims.tenantId, claims.kind);
      let config: unknown;
      if (claims.source === 'pending') {
        config = validatePluginConfig(plugin, await pendingOf(deps, claims.provider, claims.nonce));
      } else {
        const stored = view.configurationOf(claims.tenantId, claims.kind);
        if (stored?.provider !== claims.provider) {
          throw ValidationError.forField('state', `the tenant's ${claims.kind} integration is no longer ${claims.provider}: start again`);
        }
        config = stored.config;
      }
      const connected: unknown = await oauth.exchangeCode({ config, code: input.code, redirectUri: redirectUriFor(claims.provider), deps });
      const integration = await integrations.set({
        tenantId: claims.tenantId,
        kind: claims.kind,
        provider: claims.provider,
        config: connected,
      });
      if (claims.source === 'pending') {
        // The pending configuration served its purpose; its secrets do not stay behind.
        const key = pendingConfigKey(claims.provider);
        const pending = await deps.credentials.get(key);
        if (pending?.value['nonce'] === claims.nonce) await deps.credentials.compareAndSet(key, { nonce: null }, pending.version);
      }
      return { tenantId: claims.tenantId, integration };
    },
  };
}
