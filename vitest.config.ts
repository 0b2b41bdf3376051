import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'scripts', 'deploy'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/__fixtures__/**', '**/*.d.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
