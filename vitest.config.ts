import { defineConfig } from 'vitest/config';

// lambda-image's public entries from its sources, as the type-check sees them; the processes
// tests start (the bins, generated projects' npm scripts) use the built package.
// (Not 'module': it would hand Node the bundler-only dist-es builds of the AWS SDK.)
const conditions = ['source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Two cores: the end-to-end files share one Docker daemon, one moto and port 443.
    fileParallelism: false,
    reporters: ['default'],
  },
});
