/**
 * # The adapter plugin contract, v1
 *
 * An adapter package (Kommo, Google Calendar, Evolution, Twilio, a model provider, the sandbox)
 * exports one **descriptor** per port it implements: what kind of integration it is, which
 * provider, its configuration schema (secret fields marked with `secret`), and `create`, which
 * builds the port for one tenant's configuration with the dependencies the host gives it. The
 * server stores each tenant's configuration, validates it with `validatePluginConfig` (and the
 * plugin's own `validate`), and builds the tenant's ports from the descriptors it was given — it
 * never imports a vendor's code by name.
 *
 * Contract for a plugin:
 * - `create` is cheap and does no I/O: it wires the port; the port's calls do the talking.
 *   Everything the port needs from the host comes through `deps` — it reads time from
 *   `deps.clock`, paces vendor requests with `deps.rateLimiter`, persists rotated tokens in
 *   `deps.credentials`, and uses `deps.fetch` when given (tests inject it) or the global fetch.
 * - The port it returns honours its own contract (`crm-port.ts`, `calendar-port.ts`, …) and
 *   passes its `@sdr/testkit` suite.
 * - `configSchema` parses the stored configuration; every secret in it is marked with `secret`,
 *   so that `redactSecrets` can show the configuration and `secretValuesOf` can scrub logs.
 * - `validate`, `onConfigured`, `onRemoved` and `oauth` are optional; when present they throw
 *   `SdrError`s (`validate`: a `ValidationError` naming the offending field, e.g. `config.stageMapping.won`).
 */
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../errors/index.js';
import type { CalendarPort } from '../ports/calendar/calendar-port.js';
import type { Clock } from '../ports/clock/clock.js';
import type { CredentialStore } from '../ports/credentials/credential-store.js';
import type { CrmPort } from '../ports/crm/crm-port.js';
import type { LockPort } from '../ports/lock/lock-port.js';
import type { Logger } from '../ports/logger/logger.js';
import type { MessagingPort } from '../ports/messaging/messaging-port.js';
import type { RateLimiter } from '../ports/rate-limiter/rate-limiter.js';

/** The kinds of integration a tenant configures, one plugin per kind at a time. */
export const pluginKinds = ['crm', 'calendar', 'whatsapp', 'voice', 'model'] as const;

/** One kind of integration. */
export type PluginKind = (typeof pluginKinds)[number];

/**
 * The port each kind of plugin builds. The core knows three; `voice` and `model` ports are
 * defined by the packages that introduce them, which add their entry by augmenting this
 * interface (declaration merging), after which `definePlugin({ kind: 'voice', … })` requires
 * their port:
 *
 * ```ts
 * import type { VoicePort } from './voice-port.js';
 *
 * declare module '@sdr/core' {
 *   interface PluginPortMap {
 *     voice: VoicePort;
 *   }
 * }
 * ```
 */
export interface PluginPortMap {
  crm: CrmPort;
  calendar: CalendarPort;
  whatsapp: MessagingPort;
}

/** The port a plugin of `Kind` builds: its `PluginPortMap` entry, or `unknown` while none is declared. */
export type PluginPort<Kind extends PluginKind> = Kind extends keyof PluginPortMap ? PluginPortMap[Kind] : unknown;

/** What the host gives a plugin to build a tenant's port with. */
export interface PluginDeps {
  readonly tenantId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lock: LockPort;
  /** Shared by every process talking to the vendor: the port paces its requests with it. */
  readonly rateLimiter: RateLimiter;
  /** Scoped to this tenant's integration of this kind. */
  readonly credentials: CredentialStore;
  /** Injected in tests; adapters default to the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The OAuth 2 authorization-code flow of a plugin whose vendor needs one. */
export interface PluginOAuth<Config> {
  /** Where to send the person who connects the account; `state` is the host's CSRF token, passed back on the redirect. */
  authorizationUrl(input: { readonly config: Config; readonly state: string; readonly redirectUri: string }): string;
  /**
   * Exchanges the code of the redirect for tokens and returns the configuration to store (tokens
   * that belong in the credential store go there through `deps.credentials`).
   */
  exchangeCode(input: {
    readonly config: Config;
    readonly code: string;
    readonly redirectUri: string;
    readonly deps: PluginDeps;
  }): Promise<Config>;
}

/** The descriptor an adapter package exports for one port it implements (see the module comment). */
export interface AdapterPlugin<Kind extends PluginKind = PluginKind, Config = unknown, Port = PluginPort<Kind>> {
  readonly contractVersion: 'v1';
  readonly kind: Kind;
  /** `kommo`, `google`, `evolution`, `twilio`, `openai-compatible`, `sandbox`. */
  readonly provider: string;
  /** How an operator sees it (`Kommo`, `Google Calendar`). */
  readonly displayName: string;
  /** Parses a stored configuration; secret fields marked with `secret`. */
  readonly configSchema: z.ZodType<Config>;
  /** Builds the tenant's port: no I/O, everything from the host through `deps`. */
  create(config: Config, deps: PluginDeps): Port | Promise<Port>;
  /**
   * Optional checks that need the network, run when the integration is configured (e.g. Kommo
   * stage names exist); throw a `ValidationError` naming the field.
   */
  validate?(config: Config, deps: PluginDeps): Promise<void>;
  /** Optional: after a configuration is stored (register a webhook, open a push channel). */
  onConfigured?(input: {
    readonly config: Config;
    readonly deps: PluginDeps;
    readonly webhookUrl: string;
    readonly signal?: AbortSignal;
  }): Promise<void>;
  /** Optional: before a configuration is removed (unregister what `onConfigured` registered). */
  onRemoved?(input: { readonly config: Config; readonly deps: PluginDeps; readonly signal?: AbortSignal }): Promise<void>;
  /** Optional OAuth 2 authorization-code flow. */
  readonly oauth?: PluginOAuth<Config>;
}

/** Any plugin, of any kind and configuration: what a host keeps in its list of available plugins. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a host's list holds plugins of every configuration type.
export type AnyAdapterPlugin = AdapterPlugin<PluginKind, any, unknown>;

/**
 * Declares a plugin with its types inferred: `Kind` from `kind`, `Config` from `configSchema`,
 * and the port `create` returns checked against the kind's port (`PluginPortMap`).
 */
export function definePlugin<Kind extends PluginKind, Config, Port extends PluginPort<Kind>>(
  plugin: AdapterPlugin<Kind, Config, Port>,
): AdapterPlugin<Kind, Config, Port> {
  return plugin;
}

/**
 * Parses `value` with the plugin's `configSchema`: the typed configuration, or a `ValidationError`
 * whose field errors name each bad path under `config` (`config.auth.token: …`). The messages are
 * zod's, which describe what was expected, never the value given — a secret stays out of them.
 */
export function validatePluginConfig<Config>(
  plugin: Pick<AdapterPlugin<PluginKind, Config, unknown>, 'configSchema' | 'provider' | 'kind'>,
  value: unknown,
): Config {
  const result = plugin.configSchema.safeParse(value);
  if (result.success) return result.data;
  const fieldErrors: FieldError[] = result.error.issues.map((issue) => ({
    field: ['config', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationError(fieldErrors, { details: { provider: plugin.provider, kind: plugin.kind } });
}
