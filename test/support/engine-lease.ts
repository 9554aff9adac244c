// Several test runs may share the private engine (two vitest projects, two
// engineers on one machine, the demo, a benchmark). A run that started the
// engine must not stop it under another run still using it, so runs hold
// leases: files named by pid under the run dir. The last run out stops the
// engine, but only if a lease holder (not `engine-cli.ts start`, nor whoever
// had it running before) started it.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_RUN_DIR, PRIVATE_DOCKER_HOST, startTestEngine, stopPrivateEngine, type TestEngine } from './docker-engine.js';
import { progress } from './progress.js';
import { isAlive } from './wait.js';

const LEASES_DIR = join(ENGINE_RUN_DIR, 'leases');
/** Present while the private engine was started by a lease holder (test run, demo), which makes the last lease holder stop it. */
const STARTED_BY_TESTS = join(ENGINE_RUN_DIR, 'started-by-tests');

/** An engine plus the release a test run calls when it is done with it. */
export interface EngineLease extends TestEngine {
  release(): Promise<void>;
}

/** Finds or starts the test engine and holds a lease on it until release(). */
export async function leaseTestEngine(): Promise<EngineLease> {
  const engine = await startTestEngine();
  if (engine.dockerHost !== PRIVATE_DOCKER_HOST) return { ...engine, release: () => Promise.resolve() };
  mkdirSync(LEASES_DIR, { recursive: true });
  writeFileSync(join(LEASES_DIR, String(process.pid)), '');
  if (engine.owned) writeFileSync(STARTED_BY_TESTS, String(process.pid));
  return {
    ...engine,
    async release() {
      rmSync(join(LEASES_DIR, String(process.pid)), { force: true });
      const others = liveLeases();
      if (!existsSync(STARTED_BY_TESTS)) {
        progress(`leaving the private dockerd running: it was running before (engine-cli.ts stop stops it)`);
        return;
      }
      if (others.length > 0) {
        progress(`leaving the private dockerd running for test runs ${others.join(', ')}`);
        return;
      }
      progress('last user done; stopping the private dockerd a test run or the demo started');
      rmSync(STARTED_BY_TESTS, { force: true });
      await stopPrivateEngine();
    },
  };
}

/** Makes a shell script the engine's keeper: test runs then leave it running (`engine-cli.ts start`). */
export function adoptPrivateEngine(): void {
  rmSync(STARTED_BY_TESTS, { force: true });
}

function liveLeases(): number[] {
  if (!existsSync(LEASES_DIR)) return [];
  const pids = readdirSync(LEASES_DIR).map(Number).filter((p) => Number.isInteger(p) && p > 0);
  for (const pid of pids.filter((p) => !isAlive(p))) rmSync(join(LEASES_DIR, String(pid)), { force: true });
  return pids.filter(isAlive);
}
