import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/require-shared-data.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // ONNX sessions and ffmpeg children are heavy; two cores on CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
