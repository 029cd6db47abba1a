import { defineConfig } from 'vitest/config';

/** `npm run histories:record`: the workflow history recorder alone, on the test harness of vitest.config.mts. */
export default defineConfig({
  test: {
    include: ['test/workflows/record-histories.ts'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
