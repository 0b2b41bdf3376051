export { createAgentRoutes } from './agent-routes.js';
export { createTenantModelResolver, type TenantModelResolver, type TenantModelResolverOptions } from './model-resolver.js';
export { startServerAgent, type ServerAgent } from './server-agent.js';
export { createPostgresTurnStore, keptTurnsPerLead, type PostgresTurnStoreOptions } from './postgres-turn-store.js';
export { createAgentSettingsRoutes } from './agent-settings-routes.js';
export {
  agentSettingsCacheTtlMs,
  createAgentSettingsStore,
  type AgentSettingsStore,
  type AgentSettingsStoreOptions,
  type StoredAgentSettings,
} from './agent-settings-store.js';
