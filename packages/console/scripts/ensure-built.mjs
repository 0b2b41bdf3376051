// Builds the console when its build is missing or older than its sources, so that `pnpm start`
// on a fresh clone serves a working console, and a changed source is never served stale.
// Usage: node packages/console/scripts/ensure-built.mjs
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

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

/** Builds the console when it is stale; returns whether it built. */
export async function ensureConsoleBuilt() {
  if (!consoleBuildIsStale()) return false;
  console.log('building the console (@sdr/console)…');
  await build({ root, logLevel: 'warn', configFile: join(root, 'vite.config.ts') });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureConsoleBuilt();
