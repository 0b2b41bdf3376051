import type { CliCommand } from './command.js';

/** Every sub-command of `sdr`. Each lives in its own module under `cli/commands/`. */
export const commands: readonly CliCommand[] = [];
