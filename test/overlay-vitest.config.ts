import { defineConfig } from 'vitest/config';

// Overlay integration tests build namespace hosts themselves (no dockerd
// needed), so they run without the integration project's globalSetup:
//   npx vitest run -c test/overlay-vitest.config.ts
export default defineConfig({
  test: {
    include: ['test/integration/overlay-*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
