import type { UserWorkspaceConfig } from 'vitest/config';
import { defineSdrProject } from '../../vitest.shared.js';

const project = defineSdrProject('store-postgres', { testTimeout: 20_000, hookTimeout: 60_000 });

// node-postgres is CommonJS and `require`s pg-pool: with the `import` condition among the
// external conditions, Node would hand it pg-pool's ES module wrapper instead of the class.
const config: UserWorkspaceConfig = {
  ...project,
  ssr: { ...project.ssr, resolve: { ...project.ssr?.resolve, externalConditions: ['@sdr/source', 'node'] } },
};

export default config;
