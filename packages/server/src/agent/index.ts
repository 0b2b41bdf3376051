export { modelResolver, startServerAgent, type ServerAgent } from './server-agent.js';
