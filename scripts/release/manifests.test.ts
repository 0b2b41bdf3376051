/**
 * The manifest check on throw-away workspaces: the fields every public package derives from the
 * root package.json, the license file they claim, and `--fix`'s placement of missing fields.
 */
import { describe, expect, it } from 'vitest';
import { createFixtureWorkspace } from './__fixtures__/fixture-workspace.js';
import { expectedPackageFields, manifestProblems, repositoryOf, withFields } from './manifests.mjs';
import { readWorkspace } from './workspace.mjs';

const rootManifest = {
  name: 'fixture-root',
  private: true,
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/fx-org/fx.git' },
  homepage: 'https://github.com/fx-org/fx#readme',
  bugs: { url: 'https://github.com/fx-org/fx/issues' },
  engines: { node: '>=20.19' },
};
const mitLicense = 'MIT License\n\nCopyright (c) 2026 The fx authors\n';

const conforming = {
  name: '@fx/core',
  version: '0.1.0',
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/fx-org/fx.git', directory: 'packages/core' },
  homepage: 'https://github.com/fx-org/fx/tree/main/packages/core#readme',
  bugs: { url: 'https://github.com/fx-org/fx/issues' },
  type: 'module',
  engines: { node: '>=20.19' },
};

describe('manifestProblems', () => {
  it('passes packages whose fields derive from the root manifest, and ignores private ones', async () => {
    const dir = await createFixtureWorkspace({
      rootManifest,
      packages: { core: conforming, console: { name: '@fx/console', version: '0.0.0', private: true } },
      files: { LICENSE: mitLicense },
    });
    expect(manifestProblems(await readWorkspace(dir), 'main')).toEqual([]);
  });

  it('names each missing or different field of a public package, with the expected value', async () => {
    const { repository: _repository, homepage: _homepage, ...withoutSource } = conforming;
    const dir = await createFixtureWorkspace({
      rootManifest,
      packages: { core: { ...withoutSource, bugs: 'https://elsewhere.example/bugs', engines: { node: '>=18' } } },
      files: { LICENSE: mitLicense },
    });
    expect(manifestProblems(await readWorkspace(dir), 'main')).toEqual([
      {
        file: 'packages/core/package.json',
        message: 'repository is missing, expected {"type":"git","url":"git+https://github.com/fx-org/fx.git","directory":"packages/core"}',
      },
      {
        file: 'packages/core/package.json',
        message: 'homepage is missing, expected "https://github.com/fx-org/fx/tree/main/packages/core#readme"',
      },
      {
        file: 'packages/core/package.json',
        message: 'bugs is "https://elsewhere.example/bugs", expected {"url":"https://github.com/fx-org/fx/issues"}',
      },
      { file: 'packages/core/package.json', message: 'engines is {"node":">=18"}, expected {"node":">=20.19"}' },
    ]);
  });

  it('requires the LICENSE file the packages claim, headed by their license', async () => {
    const missing = await createFixtureWorkspace({ rootManifest, packages: { core: conforming } });
    expect(manifestProblems(await readWorkspace(missing), 'main')).toEqual([
      { file: 'LICENSE', message: 'missing: the packages claim the MIT license, and pnpm packs this file into each of them' },
    ]);
    const other = await createFixtureWorkspace({ rootManifest, packages: { core: conforming }, files: { LICENSE: 'Apache License\n' } });
    expect(manifestProblems(await readWorkspace(other), 'main')).toEqual([
      { file: 'LICENSE', message: 'its first line must be "MIT License", the license the packages claim' },
    ]);
  });
});

describe('repositoryOf', () => {
  it('derives the web address from a GitHub git URL', () => {
    expect(repositoryOf(rootManifest)).toEqual({ url: 'git+https://github.com/fx-org/fx.git', web: 'https://github.com/fx-org/fx' });
  });

  it('refuses a root repository it cannot derive addresses from, showing what it got', () => {
    expect(() => repositoryOf({ ...rootManifest, repository: 'fx-org/fx' })).toThrow(
      'package.json: repository must be { "type": "git", "url": "git+https://github.com/<owner>/<name>.git" }, got "fx-org/fx"',
    );
  });
});

describe('withFields', () => {
  it('keeps the place of existing fields and puts missing ones after license', async () => {
    const dir = await createFixtureWorkspace({
      rootManifest,
      packages: { core: { name: '@fx/core', version: '0.1.0', license: 'MIT', type: 'module', engines: { node: '>=18' } } },
    });
    const [pkg] = (await readWorkspace(dir)).packages;
    const fixed = withFields(pkg!.manifest, expectedPackageFields({ rootManifest, baseBranch: 'main' }, pkg!));
    expect(Object.keys(fixed)).toEqual(['name', 'version', 'license', 'repository', 'homepage', 'bugs', 'type', 'engines']);
    expect(fixed).toEqual({ ...conforming, engines: { node: '>=20.19' } });
  });
});
