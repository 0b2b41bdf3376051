/**
 * Throw-away pnpm workspaces on disk for the release checks: a root manifest, packages under
 * `packages/`, and `.changeset/` holding the repository's own changesets configuration unless a
 * test passes another.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

/** The repository's `.changeset/config.json`, the configuration the checks run under in CI. */
export async function repositoryChangesetConfig(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(import.meta.dirname, '..', '..', '..', '.changeset', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

export interface FixturePackage {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly peerDependencies?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly [field: string]: unknown;
}

/** A changeset: the bump per package and a summary. */
export interface FixtureChangeset {
  readonly id: string;
  readonly releases: Record<string, 'patch' | 'minor' | 'major'>;
}

/**
 * Writes a workspace and returns its directory (removed when the test finishes).
 * `packages` are keyed by directory name under `packages/`; `files` are extra files by path.
 */
export async function createFixtureWorkspace(input: {
  readonly packages: Record<string, FixturePackage>;
  readonly changesets?: readonly FixtureChangeset[];
  readonly config?: Record<string, unknown>;
  readonly rootManifest?: Record<string, unknown>;
  readonly files?: Record<string, string>;
}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sdr-release-fixture-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'package.json': json(input.rootManifest ?? { name: 'fixture-root', private: true }),
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
    '.changeset/config.json': json(input.config ?? (await repositoryChangesetConfig())),
    ...input.files,
  };
  for (const [directory, manifest] of Object.entries(input.packages)) files[`packages/${directory}/package.json`] = json(manifest);
  for (const changeset of input.changesets ?? []) {
    const releases = Object.entries(changeset.releases).map(([name, type]) => `'${name}': ${type}`);
    files[`.changeset/${changeset.id}.md`] = `---\n${releases.join('\n')}\n---\n\n${changeset.id}\n`;
  }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
