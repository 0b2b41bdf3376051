export { createAgentRoutes } from './agent-routes.js';
export { modelResolver, startServerAgent, type ServerAgent } from './server-agent.js';
