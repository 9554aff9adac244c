// The Control API as the leader serves it: validation, store reads after a
// ReadIndex barrier, and writes proposed through Raft.
import type { ControlService } from '../../gen/index.js';
import type { Handlers } from '../../rpc/index.js';
import { clusterHandlers } from './cluster.js';
import { dataObjectHandlers } from './data-objects.js';
import type { ControlDeps } from './deps.js';
import { networkHandlers } from './networks.js';
import { nodeHandlers } from './nodes.js';
import { serviceHandlers } from './services.js';
import { taskHandlers } from './tasks.js';

export type { ControlDeps } from './deps.js';
export { publicCluster } from './cluster.js';
export { MAX_SECRET_BYTES, MAX_CONFIG_BYTES } from './data-objects.js';
export { serviceSpecProblem, nameProblem } from './validate.js';

/** Every Control method, for the leader. */
export function controlHandlers(deps: ControlDeps): Handlers<typeof ControlService> {
  return { ...nodeHandlers(deps), ...serviceHandlers(deps), ...taskHandlers(deps), ...networkHandlers(deps), ...dataObjectHandlers(deps), ...clusterHandlers(deps) };
}
