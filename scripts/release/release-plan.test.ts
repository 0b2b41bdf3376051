/**
 * The release-plan check on throw-away workspaces, under the repository's own changesets
 * configuration: the plan the project intends passes (every first release at 0.1.0, a minor of
 * the core leaving its peers alone), and each way of getting a major nobody asked for fails,
 * naming the package and the cause.
 */
import { describe, expect, it } from 'vitest';
import { createFixtureWorkspace, repositoryChangesetConfig, type FixturePackage } from './__fixtures__/fixture-workspace.js';
import { checkReleasePlan, effectiveRange } from './release-plan.mjs';

const core = (version: string): FixturePackage => ({ name: '@fx/core', version });
const adapter = (version: string, coreRange = 'workspace:0.x'): FixturePackage => ({
  name: '@fx/adapter',
  version,
  peerDependencies: { '@fx/core': coreRange },
  devDependencies: { '@fx/core': 'workspace:^' },
});
const server = (version: string): FixturePackage => ({ name: '@fx/server', version, dependencies: { '@fx/core': 'workspace:^' } });
const firstRelease = [{ id: 'first', releases: { '@fx/core': 'minor', '@fx/adapter': 'minor', '@fx/server': 'minor' } }] as const;

describe('checkReleasePlan', () => {
  it('passes the first release of every package at 0.1.0, peers on a 0.x range of the core', async () => {
    const dir = await createFixtureWorkspace({
      packages: { core: core('0.0.0'), adapter: adapter('0.0.0'), server: server('0.0.0') },
      changesets: firstRelease,
    });
    expect(await checkReleasePlan(dir)).toEqual({
      releases: [
        { name: '@fx/adapter', isPrivate: false, type: 'minor', oldVersion: '0.0.0', newVersion: '0.1.0' },
        { name: '@fx/core', isPrivate: false, type: 'minor', oldVersion: '0.0.0', newVersion: '0.1.0' },
        { name: '@fx/server', isPrivate: false, type: 'minor', oldVersion: '0.0.0', newVersion: '0.1.0' },
      ],
      problems: [],
    });
  });

  it('passes a minor of the core after the first release: its peers stay, its dependents take a patch', async () => {
    const dir = await createFixtureWorkspace({
      packages: { core: core('0.1.0'), adapter: adapter('0.1.0'), server: server('0.1.0') },
      changesets: [{ id: 'core-feature', releases: { '@fx/core': 'minor' } }],
    });
    expect(await checkReleasePlan(dir)).toEqual({
      releases: [
        { name: '@fx/core', isPrivate: false, type: 'minor', oldVersion: '0.1.0', newVersion: '0.2.0' },
        { name: '@fx/server', isPrivate: false, type: 'patch', oldVersion: '0.1.0', newVersion: '0.1.1' },
      ],
      problems: [],
    });
  });

  it('fails a first release at 1.0.0 forced by a "workspace:^" peer range, and names the range before any changeset exists', async () => {
    const packages = { core: core('0.0.0'), adapter: adapter('0.0.0', 'workspace:^'), server: server('0.0.0') };
    const rangeProblem =
      '@fx/adapter: peerDependencies["@fx/core"] is "workspace:^" (^0.0.0), which excludes @fx/core\'s next minor 0.1.0: ' +
      'every minor release of @fx/core would force a major release of @fx/adapter. Use a range that spans the minors, ' +
      'such as "workspace:0.x" (see CONTRIBUTING.md).';

    const planned = await checkReleasePlan(await createFixtureWorkspace({ packages, changesets: firstRelease }));
    expect(planned.releases.find((release) => release.name === '@fx/adapter')).toMatchObject({ type: 'major', newVersion: '1.0.0' });
    expect(planned.problems).toEqual([
      rangeProblem,
      '@fx/adapter\'s first release would be 1.0.0, not 0.1.0: @fx/core goes 0.0.0 → 0.1.0, out of its peer range "workspace:^" (^0.0.0).',
    ]);

    const unplanned = await checkReleasePlan(await createFixtureWorkspace({ packages, changesets: [] }));
    expect(unplanned.problems).toContain(rangeProblem);
  });

  it('fails a first release at 1.0.0 when the configuration lets every minor of a peer make a major', async () => {
    const { ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH: _unsafe, ...config } = await repositoryChangesetConfig();
    const dir = await createFixtureWorkspace({
      packages: { core: core('0.0.0'), adapter: adapter('0.0.0'), server: server('0.0.0') },
      changesets: firstRelease,
      config,
    });
    expect((await checkReleasePlan(dir)).problems).toEqual([
      '@fx/adapter\'s first release would be 1.0.0, not 0.1.0: @fx/core goes 0.0.0 → 0.1.0, inside its peer range "workspace:0.x", ' +
        'but .changeset/config.json does not set ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH.onlyUpdatePeerDependentsWhenOutOfRange, ' +
        'so changesets makes every peer dependent of a minor a major.',
    ]);
  });

  it('fails the major a major of the core forces on its peers, and passes it once their own changeset asks for it', async () => {
    const packages = { core: core('0.4.0'), adapter: adapter('0.2.0'), server: server('0.3.0') };
    const forced = await createFixtureWorkspace({ packages, changesets: [{ id: 'core-one', releases: { '@fx/core': 'major' } }] });
    expect((await checkReleasePlan(forced)).problems).toEqual([
      '@fx/adapter would be released as a major (0.2.0 → 1.0.0) that no changeset asks for: @fx/core goes 0.4.0 → 1.0.0, ' +
        'out of its peer range "workspace:0.x" (0.x).',
    ]);

    const asked = await createFixtureWorkspace({
      packages,
      changesets: [{ id: 'core-one', releases: { '@fx/core': 'major', '@fx/adapter': 'major' } }],
    });
    expect((await checkReleasePlan(asked)).problems).toEqual([]);
  });

  it('fails a new public package that no changeset releases (it would be published as 0.0.0), or releases below 0.1.0', async () => {
    const unreleased = await createFixtureWorkspace({
      packages: { core: core('0.1.0'), adapter: adapter('0.0.0') },
      changesets: [],
    });
    expect((await checkReleasePlan(unreleased)).problems).toEqual([
      '@fx/adapter has never been released (version 0.0.0) and no changeset releases it: `changeset publish` would publish it as 0.0.0. ' +
        'Add a changeset with a minor bump (first release 0.1.0).',
    ]);

    const patched = await createFixtureWorkspace({
      packages: { core: core('0.1.0'), adapter: adapter('0.0.0') },
      changesets: [{ id: 'adapter-fix', releases: { '@fx/adapter': 'patch' } }],
    });
    expect((await checkReleasePlan(patched)).problems).toEqual([
      "@fx/adapter's first release would be 0.0.1, not 0.1.0: its changesets ask for a patch bump; a first release is a minor.",
    ]);
  });

  it('leaves private packages out: they are never published', async () => {
    const dir = await createFixtureWorkspace({
      packages: {
        core: core('0.0.0'),
        console: { name: '@fx/console', version: '0.0.0', private: true, peerDependencies: { '@fx/core': 'workspace:^' } },
      },
      changesets: [{ id: 'core', releases: { '@fx/core': 'minor' } }],
    });
    const { releases, problems } = await checkReleasePlan(dir);
    expect(problems).toEqual([]);
    expect(releases.map((release) => [release.name, release.isPrivate])).toEqual([
      ['@fx/console', true],
      ['@fx/core', false],
    ]);
  });
});

describe('effectiveRange', () => {
  it.each([
    ['workspace:^', '^0.3.1'],
    ['workspace:~', '~0.3.1'],
    ['workspace:*', '0.3.1'],
    ['workspace:0.x', '0.x'],
    ['^1.2.0', '^1.2.0'],
  ])('reads %s of a package at 0.3.1 as %s, as changesets and pnpm publish do', (spec, range) => {
    expect(effectiveRange(spec, '0.3.1')).toBe(range);
  });
});
