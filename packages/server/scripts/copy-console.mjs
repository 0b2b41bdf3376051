// Part of `@sdr/server`'s build: ships the built console (`@sdr/console`, built before the server
// as its dev dependency) in `dist/console`, where the server serves it from.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const shipped = fileURLToPath(new URL('../dist/console/', import.meta.url));

if (!existsSync(`${built}index.html`)) {
  console.error(`the console is not built (no ${built}index.html): run \`pnpm --filter @sdr/console build\` first, or \`pnpm build\``);
  process.exit(1);
}
rmSync(shipped, { recursive: true, force: true });
cpSync(built, shipped, { recursive: true, filter: (source) => !source.endsWith('.map') });
console.log('copied the console into dist/console');
