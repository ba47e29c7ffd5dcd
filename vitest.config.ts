import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Two cores: the end-to-end files share one Docker daemon, one moto and port 443.
    fileParallelism: false,
    reporters: ['default'],
  },
});
