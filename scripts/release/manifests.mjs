// What every published package.json must say about where it comes from. npm provenance ties a
// package to its source repository through `repository`; the registry page links `homepage` and
// `bugs`. The repository is named once, in the root package.json's `repository.url`: every other
// field here is derived from it, and `pnpm check:manifests --fix` writes them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { publicPackages } from './workspace.mjs';

const githubUrl = /^git\+https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\.git$/;

/**
 * @typedef {object} ManifestProblem
 * @property {string} file the package.json (or file) at fault, relative to the root
 * @property {string} message
 */

/**
 * The fields every public package must carry, derived from the root manifest.
 * @param {{ rootManifest: Record<string, any>, baseBranch: string }} source
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @returns {Record<string, unknown>}
 */
export function expectedPackageFields({ rootManifest, baseBranch }, pkg) {
  const { url, web } = repositoryOf(rootManifest);
  return {
    license: rootManifest.license,
    repository: { type: 'git', url, directory: pkg.relativeDir },
    homepage: `${web}/tree/${baseBranch}/${pkg.relativeDir}#readme`,
    bugs: { url: `${web}/issues` },
    engines: { ...pkg.manifest.engines, node: rootManifest.engines?.node },
  };
}

/**
 * The root manifest's repository, checked: `{ type: 'git', url: 'git+https://github.com/<owner>/<name>.git' }`.
 * @param {Record<string, any>} rootManifest
 */
export function repositoryOf(rootManifest) {
  const url = rootManifest.repository?.url;
  const match = typeof url === 'string' ? githubUrl.exec(url) : null;
  if (rootManifest.repository?.type !== 'git' || match === null) {
    throw new Error(
      `package.json: repository must be { "type": "git", "url": "git+https://github.com/<owner>/<name>.git" }, ` +
        `got ${JSON.stringify(rootManifest.repository)}`,
    );
  }
  return { url, web: `https://github.com/${match[1]}/${match[2]}` };
}

/**
 * Every difference between the manifests and what they must say, and the license file they claim.
 * @param {{ rootDir: string, rootManifest: Record<string, any>, packages: readonly import('./workspace.mjs').WorkspacePackage[] }} workspace
 * @param {string} baseBranch the branch `homepage` links into
 * @returns {ManifestProblem[]}
 */
export function manifestProblems(workspace, baseBranch) {
  const { rootDir, rootManifest } = workspace;
  /** @type {ManifestProblem[]} */
  const problems = [];
  const { web } = repositoryOf(rootManifest);
  const rootFields = { homepage: `${web}#readme`, bugs: { url: `${web}/issues` } };
  problems.push(...fieldProblems('package.json', rootManifest, rootFields));

  const license = rootManifest.license;
  const licenseFile = join(rootDir, 'LICENSE');
  if (typeof license !== 'string' || license === '') {
    problems.push({ file: 'package.json', message: 'license: the root manifest names no license for the packages to claim' });
  } else if (!existsSync(licenseFile)) {
    problems.push({
      file: 'LICENSE',
      message: `missing: the packages claim the ${license} license, and pnpm packs this file into each of them`,
    });
  } else if (readFileSync(licenseFile, 'utf8').split('\n', 1)[0]?.trim() !== `${license} License`) {
    problems.push({ file: 'LICENSE', message: `its first line must be "${license} License", the license the packages claim` });
  }
  if (typeof rootManifest.engines?.node !== 'string') {
    problems.push({ file: 'package.json', message: 'engines.node: the root manifest names no Node range for the packages to claim' });
  }

  for (const pkg of publicPackages(workspace.packages)) {
    const expected = expectedPackageFields({ rootManifest, baseBranch }, pkg);
    problems.push(...fieldProblems(`${pkg.relativeDir}/package.json`, pkg.manifest, expected));
  }
  return problems;
}

/**
 * The manifest with the expected fields written in: existing keys keep their place, missing ones
 * follow `license`.
 * @param {Record<string, unknown>} manifest
 * @param {Record<string, unknown>} fields
 */
export function withFields(manifest, fields) {
  /** @type {Record<string, unknown>} */
  const result = {};
  const missing = Object.keys(fields).filter((key) => !(key in manifest));
  for (const [key, value] of Object.entries(manifest)) {
    result[key] = key in fields ? fields[key] : value;
    if (key === 'license') for (const field of missing) result[field] = fields[field];
  }
  for (const field of missing) if (!(field in result)) result[field] = fields[field];
  return result;
}

/**
 * @param {string} file
 * @param {Record<string, unknown>} manifest
 * @param {Record<string, unknown>} expected
 * @returns {ManifestProblem[]}
 */
function fieldProblems(file, manifest, expected) {
  return Object.entries(expected)
    .filter(([key, value]) => !isDeepStrictEqual(manifest[key], value))
    .map(([key, value]) => ({
      file,
      message: `${key} is ${JSON.stringify(manifest[key]) ?? 'missing'}, expected ${JSON.stringify(value)}`,
    }));
}
