import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'reconciler/**/*.test.ts', 'test/policies/**/*.test.ts', 'bench/**/*.test.ts', 'test/support/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          globalSetup: ['./test/integration/setup/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 1_800_000,
          // One API server is shared; files run in parallel, each test in its own namespace.
          fileParallelism: true,
        },
      },
    ],
  },
});
