/**
 * The model each tenant's agent talks through: the tenant's `model` integration (`PUT
 * /v1/integrations/model`) when it has one, otherwise the server's OpenAI-compatible endpoint of
 * `SDR_AGENT_*`, otherwise the offline demo model. A tenant's model is built once per
 * configuration version: a change (seen through `configurationOf`, kept current by the
 * integrations' poller) is used from the next turn on, an unchanged one is reused.
 */
import { SandboxLanguageModel, createOpenAiCompatibleModel, type LanguageModelV3 } from '@sdr/agent';
import { ProviderUnavailableError, type PluginDeps, type PluginKind } from '@sdr/core';
import type { PluginRegistry, ResolvedConfiguration } from '../integrations/port-resolver.js';
import type { ServerConfig } from '../runtime/config.js';

/** Options of `createTenantModelResolver`. */
export interface TenantModelResolverOptions {
  readonly plugins: PluginRegistry;
  /** The tenant's configured integration of `kind`, or `null` (an in-memory view). */
  configurationOf(tenantId: string, kind: PluginKind): ResolvedConfiguration | null;
  /** What a plugin is given for the tenant's integration. */
  depsFor(tenantId: string, kind: PluginKind): PluginDeps;
  /** The model of tenants without an integration (`SDR_AGENT_*`); `null`: the demo model. */
  readonly fallback: ServerConfig['agent']['model'];
}

interface CachedModel {
  /** `provider@version` of the configuration the model was built from. */
  readonly key: string;
  readonly model: Promise<LanguageModelV3>;
}

/** The model of a tenant (see the module comment). */
export type TenantModelResolver = (tenantId: string) => Promise<LanguageModelV3>;

/** Creates the resolver. */
export function createTenantModelResolver(options: TenantModelResolverOptions): TenantModelResolver {
  const fallback: LanguageModelV3 = options.fallback === null ? new SandboxLanguageModel() : createOpenAiCompatibleModel(options.fallback);
  const cache = new Map<string, CachedModel>();

  const build = async (tenantId: string, configuration: ResolvedConfiguration): Promise<LanguageModelV3> => {
    const plugin = options.plugins.get('model')?.get(configuration.provider);
    if (plugin === undefined) {
      throw new ProviderUnavailableError({
        provider: configuration.provider,
        operation: 'resolve',
        message: `no plugin of kind model is named ${configuration.provider} on this server`,
      });
    }
    const model = await plugin.create(configuration.config, options.depsFor(tenantId, 'model'));
    if (!isLanguageModel(model)) {
      throw new ProviderUnavailableError({
        provider: configuration.provider,
        operation: 'resolve',
        message: `the model plugin ${configuration.provider} did not build an AI SDK language model (specification v3)`,
      });
    }
    return model;
  };

  return (tenantId) => {
    const configuration = options.configurationOf(tenantId, 'model');
    if (configuration === null) {
      cache.delete(tenantId);
      return Promise.resolve(fallback);
    }
    const key = `${configuration.provider}@${String(configuration.version)}`;
    const cached = cache.get(tenantId);
    if (cached?.key === key) return cached.model;
    const model = build(tenantId, configuration);
    cache.set(tenantId, { key, model });
    // A failed build is tried again on the next turn rather than remembered.
    model.catch(() => {
      if (cache.get(tenantId)?.model === model) cache.delete(tenantId);
    });
    return model;
  };
}

function isLanguageModel(value: unknown): value is LanguageModelV3 {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof LanguageModelV3, unknown>>;
  return candidate.specificationVersion === 'v3' && typeof candidate.doStream === 'function' && typeof candidate.doGenerate === 'function';
}
