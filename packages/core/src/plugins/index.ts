export {
  definePlugin,
  pluginKinds,
  validatePluginConfig,
  type AdapterPlugin,
  type AnyAdapterPlugin,
  type PluginDeps,
  type PluginKind,
  type PluginOAuth,
  type PluginPort,
  type PluginPortMap,
} from './plugin.js';
export { isSecretSchema, redactSecrets, secret, secretMarker, secretValuesOf } from './secrets.js';
