// Builds the console when its build is missing or older than its sources, so that `pnpm start`
// on a fresh clone serves a working console, and a changed source is never served stale.
// Usage: node packages/console/scripts/ensure-built.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtPage = join(root, 'dist', 'index.html');
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((name) => join(root, name));

/** The newest modification time under `path`. */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stats.mtimeMs);
}

/** `true` when the build is missing or a source changed after it. */
export function consoleBuildIsStale() {
  if (!existsSync(builtPage)) return true;
  const builtAt = statSync(builtPage).mtimeMs;
  return sources.some((source) => existsSync(source) && newest(source) > builtAt);
}

/**
 * Builds the console when it is stale; returns whether it built. Vite runs in a process of its
 * own with NODE_ENV=production: a caller's NODE_ENV (vitest sets `test`) would otherwise keep the
 * libraries' development code in the bundle.
 */
export function ensureConsoleBuilt() {
  if (!consoleBuildIsStale()) return false;
  console.log('building the console (@sdr/console)…');
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureConsoleBuilt();
