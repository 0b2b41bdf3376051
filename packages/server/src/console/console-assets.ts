/**
 * Where the built console (`@sdr/console`) is. A built `@sdr/server` ships it in `dist/console`
 * (its build copies it there); a server running from its sources in the workspace serves the
 * console package's own build, which `pnpm start` keeps up to date. `null` when neither exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverPackageName = '@sdr/server';

/** The root of the `@sdr/server` package that `moduleUrl` belongs to, or `null`. */
function serverPackageRoot(moduleUrl: string): string | null {
  let directory = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { readonly name?: unknown };
      if (name === serverPackageName) return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}

/**
 * The directory holding the console's `index.html` and `assets/`. From the sources (`src/`), the
 * workspace's console build comes first; from a build (`dist/`), the copy shipped with it.
 */
export function findConsoleAssets(moduleUrl: string = import.meta.url): string | null {
  const root = serverPackageRoot(moduleUrl);
  if (root === null) return null;
  const shipped = join(root, 'dist', 'console');
  const workspace = join(root, '..', 'console', 'dist');
  const fromSources = fileURLToPath(moduleUrl).startsWith(join(root, 'src'));
  const candidates = fromSources ? [workspace, shipped] : [shipped, workspace];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? null;
}
