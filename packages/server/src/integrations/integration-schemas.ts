/**
 * The request bodies of `PUT /v1/integrations/{kind}` and `POST /v1/integrations/{kind}/oauth/start`
 * as the OpenAPI document shows them: per kind, one object per provider the server has a plugin
 * for (`provider` is the discriminator, `config` the plugin's own schema, secrets `writeOnly`),
 * and the body is any one of the kinds'. Built from the plugins the server was given, so a third
 * party's plugin is documented like the shipped ones.
 *
 * The routes still validate the body with the lenient `integrationBody` — a provider and an
 * object — and leave the configuration to the integration service, so that a bad configuration
 * is a 422 naming each field (`config.auth.token`) and an unknown provider a 422 listing the
 * known ones, rather than a 400 about the union.
 */
import { pluginKinds, type AnyAdapterPlugin } from '@sdr/core';
import { z } from 'zod';
import type { PluginRegistry } from './port-resolver.js';

/** What the routes validate a body with (see the module comment). */
export const integrationBody = z.strictObject({
  provider: z.string().trim().min(1).max(100).describe('The plugin’s provider, e.g. `kommo`, `evolution`, `sandbox`.'),
  config: z.unknown().describe('The provider’s configuration; secrets are write-only.'),
});

const providerOption = (plugin: AnyAdapterPlugin) =>
  z
    .strictObject({
      provider: z.literal(plugin.provider),
      config: plugin.configSchema,
    })
    .describe(`${plugin.displayName}: a ${plugin.kind} integration of provider \`${plugin.provider}\`.`);

/** The documented body: any kind's provider options (see the module comment). */
export function documentedIntegrationBody(plugins: PluginRegistry) {
  const kinds = pluginKinds.flatMap((kind) => {
    const options = [...(plugins.get(kind)?.values() ?? [])].sort((a, b) => a.provider.localeCompare(b.provider)).map(providerOption);
    const [first, ...rest] = options;
    if (first === undefined) return [];
    const perKind = rest.length === 0 ? first : z.discriminatedUnion('provider', [first, ...rest]);
    return [
      perKind.meta({
        title: `${kind} integration`,
        description: `A \`${kind}\` integration: one of its providers, told apart by \`provider\`.`,
        // OpenAPI's own keyword, for generators that build a tagged union from it.
        discriminator: { propertyName: 'provider' },
      }),
    ];
  });
  const [first, ...rest] = kinds;
  if (first === undefined) return integrationBody;
  return rest.length === 0 ? first : z.union([first, ...rest]);
}
