/**
 * The integrations of a tenant: configure one kind with a provider's plugin, read them back with
 * secrets redacted, check one now, return one to its default. The API and the command line call
 * this one service.
 *
 * A configuration is validated by its plugin's schema (and `validate`, when the plugin has one)
 * before anything is stored: a bad field is a 422 naming it, an unknown provider a 422 listing
 * the known ones. It is stored sealed (AES-256-GCM, for the tenant and kind), under a new
 * version and revision, so every process's view picks it up; this process's view at once. What
 * the configuration implies for the tenant itself (`tenantSettingsOf`: Kommo's stage names
 * resolved to ids, a Google calendar as the booking calendar) is written to the tenant next. Then the plugin's `onConfigured` runs (e.g. a
 * webhook registration).
 */
import {
  ValidationError,
  pluginKinds,
  redactSecrets,
  validatePluginConfig,
  type AnyAdapterPlugin,
  type PluginDeps,
  type PluginKind,
  type PortHealth,
  type Store,
  type Tenant,
} from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { instant } from '../sandbox/sandbox-sql.js';
import { integrationsTable, parseStoredHealth, type IntegrationView } from './integration-view.js';
import { integrationContext } from './key-rotation.js';
import type { PluginRegistry, TenantPortResolver } from './port-resolver.js';
import type { SecretBox } from './secret-box.js';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';

/** The provider every kind falls back to. */
export const defaultProvider = 'sandbox';

/** An integration as the API shows it: secrets redacted. */
export interface IntegrationResource {
  readonly kind: PluginKind;
  readonly provider: string;
  /** `false`: the kind runs on its default (the tenant's sandbox). */
  readonly configured: boolean;
  readonly config: unknown;
  readonly version: number;
  readonly updatedAt: Date | null;
  readonly health: PortHealth | null;
}

/** Options of `createIntegrationService`. */
export interface IntegrationServiceOptions {
  readonly db: Database;
  readonly box: SecretBox;
  readonly plugins: PluginRegistry;
  readonly view: IntegrationView;
  readonly resolver: TenantPortResolver;
  readonly store: Store;
  readonly clock: { now(): Date };
  readonly depsFor: (tenantId: string, kind: PluginKind) => PluginDeps;
  /** Where the tenant's webhooks arrive, given to `onConfigured`. */
  readonly webhookUrl: (tenantId: string, kind: PluginKind, provider: string, config: unknown) => string;
  /**
   * Tenant settings a configuration implies (a CRM's stage names resolved to its ids, a calendar's
   * id as the one meetings are booked in), as a change of the tenant: read after validation — a
   * failure is a 422 and nothing is stored — and applied to the tenant once the configuration is
   * stored. `null`: nothing to change.
   */
  readonly tenantSettingsOf?: (input: {
    readonly tenantId: string;
    readonly kind: PluginKind;
    readonly provider: string;
    readonly config: unknown;
    readonly deps: PluginDeps;
  }) => Promise<((tenant: Tenant) => Tenant) | null>;
  readonly schema?: string;
}

/** The service (see the module comment). */
export interface IntegrationService {
  set(input: {
    readonly tenantId: string;
    readonly kind: string;
    readonly provider: string;
    readonly config: unknown;
  }): Promise<IntegrationResource>;
  get(tenantId: string, kind: string): Promise<IntegrationResource>;
  list(tenantId: string): Promise<IntegrationResource[]>;
  remove(tenantId: string, kind: string): Promise<IntegrationResource>;
  check(tenantId: string, kind: string): Promise<IntegrationResource>;
}

/** A configuration the server cannot accept: the API answers 422. */
export function unprocessable(error: ValidationError): ValidationError {
  return new ValidationError(error.fieldErrors, { message: error.message, details: { ...error.details, unprocessable: true } });
}

/** Parses a kind from a path or a command line. */
export function parseKind(kind: string): PluginKind {
  const found = pluginKinds.find((known) => known === kind);
  if (found === undefined) throw ValidationError.forField('kind', `must be one of ${pluginKinds.join(', ')}`);
  return found;
}

/** Creates the service. */
export function createIntegrationService(options: IntegrationServiceOptions): IntegrationService {
  const { db, box, plugins, view, resolver, clock } = options;
  const table = integrationsTable(options.schema);
  const sequence = `${quoteIdentifier(options.schema ?? serverSchema)}.integration_revisions`;

  const pluginFor = (kind: PluginKind, provider: string): AnyAdapterPlugin => {
    const plugin = plugins.get(kind)?.get(provider);
    if (plugin === undefined) {
      const known = [...(plugins.get(kind)?.keys() ?? [])].sort();
      throw unprocessable(
        ValidationError.forField('provider', `unknown ${kind} provider ${JSON.stringify(provider)}; known: ${known.join(', ') || 'none'}`),
      );
    }
    return plugin;
  };

  const healthOf = async (tenantId: string, kind: PluginKind): Promise<PortHealth | null> => {
    const [row] = await db.query('integrations.health', `SELECT health FROM ${table} WHERE tenant_id = $1 AND kind = $2`, [tenantId, kind]);
    return parseStoredHealth(row?.['health']);
  };

  const resourceOf = async (tenantId: string, kind: PluginKind): Promise<IntegrationResource> => {
    const known = view.configurationOf(tenantId, kind);
    const health = await healthOf(tenantId, kind);
    if (known === null) {
      return { kind, provider: defaultProvider, configured: false, config: {}, version: 0, updatedAt: null, health };
    }
    const plugin = pluginFor(kind, known.provider);
    return {
      kind,
      provider: known.provider,
      configured: true,
      config: redactSecrets(plugin.configSchema, known.config),
      version: known.version,
      updatedAt: known.updatedAt,
      health,
    };
  };

  const write = async (tenantId: string, kind: PluginKind, provider: string | null, ciphertext: string | null) => {
    await db.write(
      'integrations.write',
      `INSERT INTO ${table} (tenant_id, kind, provider, config_ciphertext, version, revision, health, updated_at)
       VALUES ($1, $2, $3, $4, 1, nextval('${sequence}'), NULL, $5::timestamptz)
       ON CONFLICT (tenant_id, kind) DO UPDATE SET provider = excluded.provider, config_ciphertext = excluded.config_ciphertext,
         version = ${table}.version + 1, revision = excluded.revision, health = NULL, updated_at = excluded.updated_at`,
      [tenantId, kind, provider, ciphertext, instant(clock.now())],
    );
    await view.refresh();
  };

  return {
    async set(input) {
      const kind = parseKind(input.kind);
      const plugin = pluginFor(kind, input.provider);
      let config: unknown;
      let settings: ((tenant: Tenant) => Tenant) | null = null;
      try {
        config = validatePluginConfig(plugin, input.config);
        const deps = options.depsFor(input.tenantId, kind);
        await plugin.validate?.(config, deps);
        settings = (await options.tenantSettingsOf?.({ tenantId: input.tenantId, kind, provider: plugin.provider, config, deps })) ?? null;
      } catch (error) {
        throw ValidationError.isInstance(error) ? unprocessable(error) : error;
      }
      await write(input.tenantId, kind, plugin.provider, box.seal(JSON.stringify(config), integrationContext(input.tenantId, kind)));
      if (settings !== null) {
        const tenant = await options.store.tenants.get(input.tenantId);
        if (tenant !== null) await options.store.tenants.update({ ...settings(tenant), updatedAt: clock.now() });
      }
      await resolver.prepare(input.tenantId, kind);
      await plugin.onConfigured?.({
        config,
        deps: options.depsFor(input.tenantId, kind),
        webhookUrl: options.webhookUrl(input.tenantId, kind, plugin.provider, config),
      });
      return resourceOf(input.tenantId, kind);
    },
    get: (tenantId, kind) => resourceOf(tenantId, parseKind(kind)),
    list: (tenantId) => Promise.all(pluginKinds.map((kind) => resourceOf(tenantId, kind))),
    async remove(tenantId, rawKind) {
      const kind = parseKind(rawKind);
      const known = view.configurationOf(tenantId, kind);
      if (known !== null) {
        const plugin = plugins.get(kind)?.get(known.provider);
        await plugin?.onRemoved?.({ config: known.config, deps: options.depsFor(tenantId, kind) });
        await write(tenantId, kind, null, null);
      }
      return resourceOf(tenantId, kind);
    },
    async check(tenantId, rawKind) {
      const kind = parseKind(rawKind);
      const now = clock.now();
      // The result belongs to the configuration it was checked with: a change meanwhile wins.
      const [before] = await db.query('integrations.version', `SELECT version FROM ${table} WHERE tenant_id = $1 AND kind = $2`, [
        tenantId,
        kind,
      ]);
      let health: PortHealth;
      try {
        if (kind === 'crm') health = await resolver.crmFor(tenantId).health();
        else if (kind === 'calendar') health = await resolver.calendarFor(tenantId).health();
        else if (kind === 'whatsapp') {
          const tenant = await options.store.tenants.get(tenantId);
          health = await resolver.messagingFor(tenantId).health({ instance: tenant?.messaging.instance ?? 'default' });
        } else health = { status: 'down', detail: `no ${kind} port is served by this server yet`, checkedAt: now };
      } catch (error) {
        health = { status: 'down', detail: error instanceof Error ? error.message : 'the health check failed', checkedAt: now };
      }
      // A new revision: every process's view learns the result (gating, metrics) at its next poll.
      await db.write(
        'integrations.health.write',
        `INSERT INTO ${table} (tenant_id, kind, provider, config_ciphertext, version, revision, health, updated_at)
         VALUES ($1, $2, NULL, NULL, 0, nextval('${sequence}'), $3::jsonb, $4::timestamptz)
         ON CONFLICT (tenant_id, kind) DO UPDATE SET health = excluded.health, revision = excluded.revision
         WHERE ${table}.version = $5`,
        [
          tenantId,
          kind,
          JSON.stringify({ ...health, checkedAt: health.checkedAt.toISOString() }),
          instant(now),
          before === undefined ? 0 : Number(before['version']),
        ],
      );
      await view.refresh();
      return resourceOf(tenantId, kind);
    },
  };
}
