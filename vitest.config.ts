import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'scripts', 'deploy'],
    // Most suites wait on PostgreSQL, Redis, sockets or child processes rather than compute: one
    // worker more than the cores keeps the CPU busy (vitest's default, cores − 1, is a single worker
    // on a 2-core machine and doubled the suite's time). Each test file has its own database.
    maxWorkers: Math.max(3, availableParallelism() + 1),
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/__fixtures__/**', '**/*.d.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
