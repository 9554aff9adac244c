import type { NodeSpec_Role as NodeRole } from '../gen/index.js';

/** A node's role as the daemon speaks of it and its data root records it (swarm/state.json). */
export type LocalRole = 'manager' | 'worker';

/** The daemon's word for a role the managers or a certificate name (none named: a worker). */
export function localRole(role: NodeRole | undefined): LocalRole {
  return role === 'MANAGER' ? 'manager' : 'worker';
}
