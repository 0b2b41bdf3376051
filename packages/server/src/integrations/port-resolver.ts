/**
 * The per-tenant port resolver: the CRM, calendar and channel of **one tenant**, built from that
 * tenant's configured integration of the kind (its plugin and configuration) or, when it has
 * none, from the default the host gives (the tenant's own sandbox). Services and workers are
 * handed `crmFor` / `calendarFor` / `messagingFor` instead of one process-wide port, so a write
 * for tenant A can only go through A's port.
 *
 * Resolved ports are cached per tenant, kind and configuration version: a change of the
 * configuration (seen through `configurationOf`, which the integrations' poller keeps current)
 * builds the port again on its next use; an unchanged one reuses it. Resolution is synchronous
 * — the core services ask for a port in the middle of their work — so a plugin whose `create`
 * is asynchronous is built ahead by `prepare` (the poller and the integrations service call it);
 * a use before that build finished is a retryable `ProviderUnavailableError`.
 */
import {
  ProviderUnavailableError,
  SdrError,
  type AnyAdapterPlugin,
  type CalendarPort,
  type CrmPort,
  type MessagingPort,
  type PluginDeps,
  type PluginKind,
  type Tenant,
} from '@sdr/core';

/** A tenant's stored integration of one kind, as the resolver builds from it. */
export interface ResolvedConfiguration {
  readonly provider: string;
  /** The configuration, already validated by the plugin's schema and decrypted. */
  readonly config: unknown;
  /** Changes whenever the configuration does. */
  readonly version: number;
}

/** The plugins a host offers, by kind and provider. */
export type PluginRegistry = ReadonlyMap<PluginKind, ReadonlyMap<string, AnyAdapterPlugin>>;

/** Indexes `plugins` by kind and provider; two plugins of one kind and provider are refused. */
export function createPluginRegistry(plugins: readonly AnyAdapterPlugin[]): PluginRegistry {
  const registry = new Map<PluginKind, Map<string, AnyAdapterPlugin>>();
  for (const plugin of plugins) {
    const byProvider = registry.get(plugin.kind) ?? new Map<string, AnyAdapterPlugin>();
    if (byProvider.has(plugin.provider)) {
      throw new SdrError(`two plugins of kind ${plugin.kind} are named ${plugin.provider}; give each provider one descriptor per kind`);
    }
    byProvider.set(plugin.provider, plugin);
    registry.set(plugin.kind, byProvider);
  }
  return registry;
}

/** The ports the core services know, by plugin kind. */
interface ResolvedPorts {
  crm: CrmPort;
  calendar: CalendarPort;
  whatsapp: MessagingPort;
}
type ResolvableKind = keyof ResolvedPorts;

/** Options of `createTenantPortResolver`. */
export interface TenantPortResolverOptions {
  readonly plugins: PluginRegistry;
  /** The tenant's configured integration of `kind`, or `null`: the default. Synchronous (an in-memory view). */
  configurationOf(tenantId: string, kind: PluginKind): ResolvedConfiguration | null;
  /** The default ports of a tenant without a configured integration (`tenant` when the caller has it). */
  readonly defaults: {
    crm(tenantId: string, tenant: Tenant | null): CrmPort;
    calendar(tenantId: string): CalendarPort;
    whatsapp(tenantId: string): MessagingPort;
  };
  /** What a plugin is given for the tenant's integration of `kind`. */
  depsFor(tenantId: string, kind: PluginKind): PluginDeps;
  /** Decorates every port built (metrics), returning a port of the same shape; default: none. */
  wrap?(kind: ResolvableKind, port: object): object;
}

/** The tenant's ports. */
export interface TenantPortResolver {
  readonly crmFor: (tenant: Tenant | string) => CrmPort;
  readonly calendarFor: (tenantId: string) => CalendarPort;
  readonly messagingFor: (tenantId: string) => MessagingPort;
  /** Builds the tenant's port of `kind` for its current configuration now (an asynchronous `create` included). */
  readonly prepare: (tenantId: string, kind: PluginKind) => Promise<void>;
}

interface CacheEntry {
  /** `provider@version`, or `default` (plus the CRM's rate): the cache is valid while it matches. */
  readonly key: string;
  readonly port: unknown;
}

const resolvableKinds: readonly PluginKind[] = ['crm', 'calendar', 'whatsapp'];

/** Creates the resolver (see the module comment). */
export function createTenantPortResolver(options: TenantPortResolverOptions): TenantPortResolver {
  const cache = new Map<string, CacheEntry>();
  const building = new Map<string, Promise<void>>();
  const wrap = (kind: ResolvableKind, port: unknown): unknown =>
    options.wrap === undefined || typeof port !== 'object' || port === null ? port : options.wrap(kind, port);
  const defaultPort = (kind: ResolvableKind, tenantId: string, tenant: Tenant | null): unknown =>
    kind === 'crm' ? options.defaults.crm(tenantId, tenant) : options.defaults[kind](tenantId);

  const pluginOf = (kind: PluginKind, provider: string): AnyAdapterPlugin => {
    const plugin = options.plugins.get(kind)?.get(provider);
    if (plugin === undefined) {
      throw new ProviderUnavailableError({
        provider,
        operation: 'resolve',
        message: `no plugin of kind ${kind} is named ${provider} on this server`,
      });
    }
    return plugin;
  };

  const resolve = <Kind extends ResolvableKind>(kind: Kind, tenantId: string, tenant: Tenant | null): ResolvedPorts[Kind] => {
    const configuration = options.configurationOf(tenantId, kind);
    const slot = `${tenantId}\u0000${kind}`;
    if (configuration === null) {
      const rate = kind === 'crm' && tenant !== null ? `@${String(tenant.crm.requestsPerSecond)}` : '';
      const key = `default${rate}`;
      const cached = cache.get(slot);
      // A CRM asked for without the tenant reuses the default built with its rate.
      if (cached !== undefined && (cached.key === key || (rate === '' && cached.key.startsWith('default')))) {
        return cached.port as ResolvedPorts[Kind];
      }
      const port = wrap(kind, defaultPort(kind, tenantId, tenant)) as ResolvedPorts[Kind];
      cache.set(slot, { key, port });
      return port;
    }
    const key = `${configuration.provider}@${String(configuration.version)}`;
    const cached = cache.get(slot);
    if (cached?.key === key) return cached.port as ResolvedPorts[Kind];
    const created = pluginOf(kind, configuration.provider).create(configuration.config, options.depsFor(tenantId, kind));
    if (created instanceof Promise) {
      void prepare(tenantId, kind).catch(() => undefined);
      throw new ProviderUnavailableError({
        provider: configuration.provider,
        operation: 'resolve',
        message: `the ${kind} integration of this tenant is being set up; try again shortly`,
      });
    }
    const port = wrap(kind, created) as ResolvedPorts[Kind];
    cache.set(slot, { key, port });
    return port;
  };

  const prepare = (tenantId: string, kind: PluginKind): Promise<void> => {
    if (!resolvableKinds.includes(kind)) return Promise.resolve();
    const configuration = options.configurationOf(tenantId, kind);
    if (configuration === null) return Promise.resolve();
    const slot = `${tenantId}\u0000${kind}`;
    const key = `${configuration.provider}@${String(configuration.version)}`;
    if (cache.get(slot)?.key === key) return Promise.resolve();
    const inFlight = building.get(`${slot}\u0000${key}`);
    if (inFlight !== undefined) return inFlight;
    const build = (async () => {
      const port = await pluginOf(kind, configuration.provider).create(configuration.config, options.depsFor(tenantId, kind));
      cache.set(slot, { key, port: wrap(kind as ResolvableKind, port) });
    })().finally(() => building.delete(`${slot}\u0000${key}`));
    building.set(`${slot}\u0000${key}`, build);
    return build;
  };

  return {
    crmFor: (tenant) => (typeof tenant === 'string' ? resolve('crm', tenant, null) : resolve('crm', tenant.id, tenant)),
    calendarFor: (tenantId) => resolve('calendar', tenantId, null),
    messagingFor: (tenantId) => resolve('whatsapp', tenantId, null),
    prepare,
  };
}
