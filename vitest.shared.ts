import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@sdr/source` export
// condition, in both the client and the server (SSR) resolver — vitest runs tests through the
// latter — so tests never depend on a prior build.
const conditions = ['@sdr/source', 'import', 'module', 'node', 'default'];

/** The vitest project of one package: sources resolved, tests next to the code. */
export function defineSdrProject(name: string, test: NonNullable<UserWorkspaceConfig['test']> = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    // A test that reaches its end without one assertion proves nothing: vitest fails it.
    test: { name, include: ['src/**/*.test.ts'], expect: { requireAssertions: true }, ...test },
  });
}
