/**
 * `@sdr/server`: the reference server (a composition root) and the `sdr` command line.
 * @packageDocumentation
 */
export { runCli } from './cli/run-cli.js';
export { exitCodes, type CliCommand, type CliIo } from './cli/command.js';
export { commands } from './cli/commands.js';
export * from './http/index.js';
