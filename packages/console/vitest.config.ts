import { defineSdrProject } from '../../vitest.shared.js';

// The console's tests drive a real `sdr serve` and a real Chromium: one server per file, so the
// files run one after another and get generous time limits.
export default defineSdrProject('console', {
  include: ['test/**/*.test.ts'],
  globalSetup: ['test/global-setup.ts'],
  poolOptions: { forks: { singleFork: true } },
  testTimeout: 60_000,
  hookTimeout: 120_000,
});
