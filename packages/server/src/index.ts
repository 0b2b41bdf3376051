/**
 * `@sdr/server`: the reference server (a composition root) and the `sdr` command line.
 * @packageDocumentation
 */
export { runCli } from './cli/run-cli.js';
export { exitCodes, type CliCommand, type CliIo } from './cli/command.js';
export { commands } from './cli/commands.js';
export * from './http/index.js';
export { loadConfig, configVariables, roles, type Role, type ServerConfig } from './runtime/config.js';
export { startServer, type RunningServer } from './runtime/start-server.js';
export type { RunningWorkers } from './runtime/workers.js';
export { composeServer, type Composition, type ServerPorts } from './runtime/compose.js';
export { openServerDatabase, type OpenedDatabase } from './runtime/open-database.js';
export { ensureDemoTenant, type DemoTenant } from './runtime/demo-tenant.js';
export type { HttpSettings, ServerContext, ServerServices } from './context.js';
export * from './database/index.js';
export * from './sandbox/index.js';
export * from './observability/index.js';
export * from './console/index.js';
