#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { commands } from './cli/commands.js';
import { runCli } from './cli/run-cli.js';

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFile(path, 'utf8'),
    readLines: () => createInterface({ input: process.stdin, terminal: false }),
  },
  commands,
);
process.exitCode = code;
