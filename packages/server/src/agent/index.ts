export { createAgentRoutes } from './agent-routes.js';
export { createTenantModelResolver, type TenantModelResolver, type TenantModelResolverOptions } from './model-resolver.js';
export { startServerAgent, type ServerAgent } from './server-agent.js';
export { createPostgresTurnStore, keptTurnsPerLead, type PostgresTurnStoreOptions } from './postgres-turn-store.js';
