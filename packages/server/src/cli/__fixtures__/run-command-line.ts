/** Runs the `sdr` command line in-process with captured output, for the commands' tests. */
import { readFile } from 'node:fs/promises';
import type { CliIo } from '../command.js';
import { commands } from '../commands.js';
import { runCli } from '../run-cli.js';

/** Runs `sdr <argv>`; `files` are served instead of the disk for the paths they name. */
export async function runCommandLine(
  argv: readonly string[],
  files: Record<string, string> = {},
): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: (path) => (path in files ? Promise.resolve(files[path] ?? '') : readFile(path, 'utf8')),
  };
  const code = await runCli(argv, io, commands);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
