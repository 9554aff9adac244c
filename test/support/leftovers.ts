// A crashed or killed test run leaves containers, networks and temp dirs
// behind. Everything the test environment makes is named or labelled
// `shoal-t-<owner pid>...`, so a later run removes what belongs to dead pids
// and leaves concurrent runs alone.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BUILD_DIR } from './node-image.js';
import { TEST_LABEL } from './test-images.js';
import { ownerDead, TEST_PREFIX } from './underlay.js';

const OWNED_NAME = new RegExp(`^${TEST_PREFIX}(\\d+)`);

/** Whether a name or label value `shoal-t-<pid>...` belongs to a process that is gone. */
export function isLeftover(name: string): boolean {
  const m = OWNED_NAME.exec(name);
  return m !== null && ownerDead({ owner: Number(m[1]) });
}

/** Removes temp dirs, containers and networks of dead test runs; returns how many objects it removed. */
export async function removeLabelledLeftovers(docker: Docker): Promise<number> {
  const dirs = [tmpdir(), BUILD_DIR].flatMap((parent) => readdirSync(parent).filter(isLeftover).map((entry) => join(parent, entry)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  const containers = (await docker.listContainers({ all: true, filters: { label: [TEST_LABEL] } }))
    .filter((c) => isLeftover(c.Labels[TEST_LABEL] ?? ''));
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  const networks = (await docker.listNetworks({ filters: { label: [TEST_LABEL] } }))
    .filter((n) => isLeftover(n.Labels?.[TEST_LABEL] ?? ''));
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
  return dirs.length + containers.length + networks.length;
}
