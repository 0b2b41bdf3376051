import { ValidationError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { exitCodes, type CliCommand, type CliIo } from './command.js';
import { runCli } from './run-cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text), readFile: () => Promise.resolve('') };
  return { io: value, out, err };
}

const echo: CliCommand = {
  path: ['billing', 'plan'],
  summary: 'echo',
  usage: 'sdr billing plan <file>',
  run: (args, cli) => {
    cli.stdout(args.join(','));
    return Promise.resolve(exitCodes.ok);
  },
};
const failing: CliCommand = {
  path: ['fail'],
  summary: 'fails',
  usage: 'sdr fail',
  run: () => Promise.reject(ValidationError.forField('scenario.start', 'is not an instant')),
};

describe('runCli', () => {
  it('routes by the longest matching path and passes the rest', async () => {
    const cli = io();
    expect(await runCli(['billing', 'plan', 'a.json', '--now', 'x'], cli.io, [echo])).toBe(0);
    expect(cli.out.join('')).toBe('a.json,--now,x');
  });

  it('prints help on no command (exit 0) and on an unknown one (exit 2)', async () => {
    const empty = io();
    expect(await runCli([], empty.io, [echo])).toBe(exitCodes.ok);
    expect(empty.out.join('')).toContain('sdr billing plan');
    const unknown = io();
    expect(await runCli(['nope'], unknown.io, [echo])).toBe(exitCodes.usage);
    expect(unknown.err.join('')).toContain('usage: sdr');
  });

  it('shows a command usage with --help', async () => {
    const cli = io();
    expect(await runCli(['billing', 'plan', '--help'], cli.io, [echo])).toBe(0);
    expect(cli.out.join('')).toContain('sdr billing plan <file>');
  });

  it('turns a validation error into exit code 2 and a message naming the field', async () => {
    const cli = io();
    expect(await runCli(['fail'], cli.io, [failing])).toBe(exitCodes.usage);
    expect(cli.err.join('')).toBe('error: scenario.start: is not an instant\n');
  });
});
