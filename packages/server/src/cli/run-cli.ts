import { SdrError, ValidationError } from '@sdr/core';
import { exitCodes, type CliCommand, type CliIo } from './command.js';

/** Finds the command whose path prefixes `argv` (longest path wins) and runs it. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const command = [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((candidate) => candidate.path.every((word, index) => argv[index] === word));
  if (!command) {
    const askedForHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === 'help';
    (askedForHelp ? io.stdout : io.stderr)(helpText(commands));
    return askedForHelp ? exitCodes.ok : exitCodes.usage;
  }
  const args = argv.slice(command.path.length);
  if (args.includes('--help')) {
    io.stdout(`${command.usage}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (ValidationError.isInstance(error)) {
      io.stderr(`error: ${error.message}\n`);
      return exitCodes.usage;
    }
    io.stderr(`error: ${SdrError.isInstance(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
}

function helpText(commands: readonly CliCommand[]): string {
  const lines = commands.map((command) => `  sdr ${command.path.join(' ').padEnd(16)} ${command.summary}`);
  return ['usage: sdr <command> [options]', '', 'commands:', ...lines, '', 'Run `sdr <command> --help` for details.', ''].join('\n');
}
