// vitest globalSetup for the integration and e2e projects: one Docker Engine
// and the locally built test images, before any test file runs.
import type { TestProject } from 'vitest/node';
import { dockerClient } from './docker-engine.js';
import { leaseTestEngine } from './engine-lease.js';
import { ensureTestImages } from './test-images.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DOCKER_HOST of the test engine (also in process.env.DOCKER_HOST of the workers). */
    dockerHost: string;
  }
}

/** Starts (or finds) the test engine and builds the test images; the teardown stops it if this run was the last user of an engine a test run started. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Testcontainers' reaper image can't be pulled here; tests clean up after themselves.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const engine = await leaseTestEngine();
  try {
    process.env.DOCKER_HOST = engine.dockerHost; // workers start after this and inherit it
    project.provide('dockerHost', engine.dockerHost);
    await ensureTestImages(dockerClient(engine.dockerHost));
  } catch (e) {
    await engine.release();
    throw e;
  }
  return () => engine.release();
}
