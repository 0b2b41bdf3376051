import { defineSdrProject } from '../../vitest.shared.js';

// The console's tests drive a real `sdr serve` and a real Chromium: one server per file, so the
// files run one after another, get generous time limits, and run after every other project
// (group 1) so that a browser and a server never compete with the timing of other suites.
export default defineSdrProject('console', {
  include: ['test/**/*.test.ts'],
  globalSetup: ['test/global-setup.ts'],
  poolOptions: { forks: { singleFork: true } },
  sequence: { groupOrder: 1 },
  testTimeout: 60_000,
  hookTimeout: 120_000,
});
