// The workspace as the release tooling sees it: the root manifest and every package, with the
// package's directory relative to the root (what `repository.directory` names).
import { relative, sep } from 'node:path';
import { getPackages } from '@manypkg/get-packages';

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} version
 * @property {boolean} isPrivate
 * @property {string} dir absolute directory
 * @property {string} relativeDir directory relative to the workspace root, with `/` separators
 * @property {Record<string, any>} manifest the parsed package.json
 */

/**
 * Reads the workspace around `cwd`.
 * @param {string} cwd
 * @returns {Promise<{ rootDir: string, rootManifest: Record<string, any>, packages: WorkspacePackage[] }>}
 */
export async function readWorkspace(cwd) {
  const { root, packages } = await getPackages(cwd);
  return {
    rootDir: root.dir,
    rootManifest: root.packageJson,
    packages: packages
      .map(({ dir, packageJson }) => ({
        name: packageJson.name,
        version: packageJson.version,
        isPrivate: packageJson.private === true,
        dir,
        relativeDir: relative(root.dir, dir).split(sep).join('/'),
        manifest: packageJson,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/**
 * The packages that are published to the registry.
 * @param {readonly WorkspacePackage[]} packages
 */
export function publicPackages(packages) {
  return packages.filter((pkg) => !pkg.isPrivate);
}
