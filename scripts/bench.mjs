// `pnpm bench <name> [args…]`: runs the benchmark script `bench/<name>.ts` of whichever package
// has it, from source (TypeScript through tsx, workspace packages resolved to their sources).
// `pnpm bench` alone lists the available benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benches = new Map();
for (const group of ['packages', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const benchDir = join(dir, name, 'bench');
    if (!existsSync(benchDir)) continue;
    for (const file of readdirSync(benchDir)) {
      if (!file.endsWith('.bench.ts')) continue;
      const benchName = file.replace(/\.bench\.ts$/, '');
      const path = join(benchDir, file);
      // Two packages with one bench name would make `pnpm bench <name>` run whichever came last.
      if (benches.has(benchName)) {
        console.error(`two benchmarks are named "${benchName}": ${benches.get(benchName)} and ${path}; rename one`);
        process.exit(2);
      }
      benches.set(benchName, path);
    }
  }
}

const [name, ...args] = process.argv.slice(2);
if (!name || !benches.has(name)) {
  const list = [...benches.keys()].sort().join(', ') || '(none yet)';
  console.error(name ? `unknown benchmark "${name}"; available: ${list}` : `usage: pnpm bench <name>; available: ${list}`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', benches.get(name), ...args], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
