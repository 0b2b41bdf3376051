// The release plan as `changeset version` would apply it, and what is wrong with it.
//
// `changeset publish` publishes every public package whose version is not on the registry yet, and
// `changeset version` picks those versions from the changesets *and* from the dependency graph. The
// graph can raise a bump by itself: a package that takes another workspace package as a peer
// dependency becomes a major release when that peer's new version leaves the range. Nobody asked
// for that major, and users would read it as a breaking change; this check refuses it.
import getReleasePlan from '@changesets/get-release-plan';
import semver from 'semver';
import { publicPackages, readWorkspace } from './workspace.mjs';

/** The version a package carries until its first release. */
export const unreleasedVersion = '0.0.0';

/** The version of every package's first release. */
export const firstReleaseVersion = '0.1.0';

/**
 * @typedef {object} PlannedRelease
 * @property {string} name
 * @property {boolean} isPrivate
 * @property {'patch' | 'minor' | 'major'} type
 * @property {string} oldVersion
 * @property {string} newVersion
 */

/**
 * The releases the changesets under `.changeset/` would make, and every problem with them.
 * @param {string} cwd a directory inside the workspace
 * @returns {Promise<{ releases: PlannedRelease[], problems: string[] }>}
 */
export async function checkReleasePlan(cwd) {
  const workspace = await readWorkspace(cwd);
  const plan = await getReleasePlan(workspace.rootDir);
  const packagesByName = new Map(workspace.packages.map((pkg) => [pkg.name, pkg]));
  /** @type {Map<string, { name: string, type: 'patch' | 'minor' | 'major', oldVersion: string, newVersion: string }>} */
  const releases = new Map();
  for (const release of plan.releases) {
    if (release.type !== 'none') releases.set(release.name, release);
  }

  /** @type {string[]} */
  const problems = [];
  for (const pkg of publicPackages(workspace.packages)) {
    problems.push(...peerRangeProblems(pkg, packagesByName));
    const release = releases.get(pkg.name);
    const askedBy = plan.changesets.filter((changeset) =>
      changeset.releases.some((asked) => asked.name === pkg.name && asked.type === 'major'),
    );
    if (pkg.version === unreleasedVersion) {
      if (release === undefined) {
        problems.push(
          `${pkg.name} has never been released (version ${unreleasedVersion}) and no changeset releases it: ` +
            `\`changeset publish\` would publish it as ${unreleasedVersion}. Add a changeset with a minor bump (first release ${firstReleaseVersion}).`,
        );
      } else if (withoutPrerelease(release.newVersion) !== firstReleaseVersion) {
        problems.push(
          `${pkg.name}'s first release would be ${release.newVersion}, not ${firstReleaseVersion}: ` +
            `${causeOf(release, askedBy, pkg, releases)}.`,
        );
      }
    } else if (release?.type === 'major' && askedBy.length === 0) {
      problems.push(
        `${pkg.name} would be released as a major (${release.oldVersion} → ${release.newVersion}) that no changeset asks for: ` +
          `${causeOf(release, askedBy, pkg, releases)}.`,
      );
    }
  }

  return {
    releases: [...releases.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((release) => ({
        name: release.name,
        isPrivate: packagesByName.get(release.name)?.isPrivate ?? false,
        type: release.type,
        oldVersion: release.oldVersion,
        newVersion: release.newVersion,
      })),
    problems,
  };
}

/**
 * A peer dependency on another workspace package must admit that package's next minor: otherwise
 * every minor of the dependency forces a major of the dependent.
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @param {ReadonlyMap<string, import('./workspace.mjs').WorkspacePackage>} packagesByName
 */
function peerRangeProblems(pkg, packagesByName) {
  /** @type {string[]} */
  const problems = [];
  for (const [dependencyName, spec] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
    const dependency = packagesByName.get(dependencyName);
    if (dependency === undefined) continue;
    const range = effectiveRange(String(spec), dependency.version);
    const where = `${pkg.name}: peerDependencies["${dependencyName}"] is "${spec}"`;
    if (semver.validRange(range) === null) {
      problems.push(`${where}, which is not a semver range.`);
      continue;
    }
    const nextMinor = semver.inc(dependency.version, 'minor');
    if (nextMinor !== null && !semver.satisfies(nextMinor, range)) {
      problems.push(
        `${where} (${range}), which excludes ${dependencyName}'s next minor ${nextMinor}: every minor release of ${dependencyName} ` +
          `would force a major release of ${pkg.name}. Use a range that spans the minors, such as "workspace:0.x" (see CONTRIBUTING.md).`,
      );
    }
  }
  return problems;
}

/**
 * The semver range a `workspace:` spec stands for, as changesets reads it (`workspace:*` is the
 * exact current version, `workspace:^` / `workspace:~` the current version with that operator).
 * @param {string} spec
 * @param {string} currentVersion
 */
export function effectiveRange(spec, currentVersion) {
  if (!spec.startsWith('workspace:')) return spec;
  const range = spec.slice('workspace:'.length);
  if (range === '*') return currentVersion;
  if (range === '^' || range === '~') return `${range}${currentVersion}`;
  return range;
}

/**
 * Why a package gets the bump it gets: the changesets that ask for a major, else the workspace
 * peers whose releases leave its ranges, else the bump type itself.
 * @param {{ type: string }} release
 * @param {readonly { id: string }[]} askedBy
 * @param {import('./workspace.mjs').WorkspacePackage} pkg
 * @param {ReadonlyMap<string, { type: string, oldVersion: string, newVersion: string }>} releases
 */
function causeOf(release, askedBy, pkg, releases) {
  if (askedBy.length > 0) return `asked for by ${askedBy.map((changeset) => `.changeset/${changeset.id}.md`).join(', ')} (bump it minor)`;
  if (release.type === 'major') {
    const peers = Object.entries(pkg.manifest.peerDependencies ?? {}).flatMap(([name, spec]) => {
      const peerRelease = releases.get(name);
      if (peerRelease === undefined || peerRelease.type === 'patch') return [];
      const range = effectiveRange(String(spec), peerRelease.oldVersion);
      const moved = `${name} goes ${peerRelease.oldVersion} → ${peerRelease.newVersion}`;
      return semver.satisfies(peerRelease.newVersion, range)
        ? [
            `${moved}, inside its peer range "${spec}", but .changeset/config.json does not set ` +
              `___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH.onlyUpdatePeerDependentsWhenOutOfRange, so changesets makes ` +
              `every peer dependent of a minor a major`,
          ]
        : [`${moved}, out of its peer range "${spec}" (${range})`];
    });
    if (peers.length > 0) return peers.join('; ');
    return 'changesets raised it to major through the dependency graph';
  }
  return `its changesets ask for a ${release.type} bump; a first release is a minor`;
}

/** @param {string} version */
function withoutPrerelease(version) {
  return `${semver.major(version)}.${semver.minor(version)}.${semver.patch(version)}`;
}
