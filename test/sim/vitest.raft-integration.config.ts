// Runs the Raft integration tests without the Docker-engine global setup of
// the shared `integration` project (they need only disk and loopback):
//   npx vitest run --config test/sim/vitest.raft-integration.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/integration/raft-*.test.ts'],
    testTimeout: 120_000,
    fileParallelism: false,
  },
});
