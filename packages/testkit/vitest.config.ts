import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sdr/source'] },
  test: { name: 'testkit', include: ['src/**/*.test.ts'] },
});
