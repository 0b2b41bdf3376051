// `pnpm test:node <version…> [-- <vitest arguments>]`: runs the test suite (what `pnpm test` runs)
// under each given Node version, one after the other, and fails if any run fails. A version is a
// pinned major (20, 22, 24) or an exact release; its binary comes from the npm registry and is
// cached (see scripts/node/node-binary.mjs). Examples:
//   pnpm test:node 22 24
//   pnpm test:node 24 -- packages/core
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ensureNodeBinary, nodeCacheDir, resolveNodeVersion } from './node/node-binary.mjs';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const separator = args.indexOf('--');
const specs = separator === -1 ? args : args.slice(0, separator);
const vitestArgs = separator === -1 ? [] : args.slice(separator + 1);
if (specs.length === 0) {
  console.error('usage: pnpm test:node <version…> [-- <vitest arguments>]   e.g. pnpm test:node 22 24');
  process.exit(2);
}

const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let versions;
try {
  versions = specs.map((spec) => resolveNodeVersion(spec, engines.node));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const outcomes = [];
for (const version of versions) {
  const binary = ensureNodeBinary({ version, cacheDir: nodeCacheDir(), log: (line) => console.log(line) });
  console.log(`\n=== tests on Node ${version} (${binary}) ===`);
  const started = Date.now();
  // The binary's directory leads PATH, so anything the suite spawns as `node` runs on it too.
  const run = spawnSync(binary, [vitest, 'run', ...vitestArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` },
  });
  outcomes.push({ version, status: run.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log('\nNode versions:');
for (const { version, status, seconds } of outcomes) {
  console.log(
    `  ${version.padEnd(8)} ${status === 0 ? 'passed' : `FAILED (exit code ${status})`} in ${Math.floor(seconds / 60)}m ${seconds % 60}s`,
  );
}
process.exit(outcomes.every((outcome) => outcome.status === 0) ? 0 : 1);
