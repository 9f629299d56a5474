import { defineConfig } from 'vitest/config';

// Three layers, run in this order by `make test`: fast unit tests, integration tests against
// real Xvfb/bubblewrap/FFmpeg, and end-to-end tests in a real Chromium.
export default defineConfig({
  test: {
    // Spawned servers keep their audit key in a folder of the run, never in /etc/vitrine.
    globalSetup: ['server/test/audit-key-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.unit.test.ts'],
          exclude: ['**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Two cores: parallel sandboxes and encoders would only measure contention.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
