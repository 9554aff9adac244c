// Which services a batch of store changes may need reconciled, so the leader
// reconciles those only instead of every service per event.
import type { Node } from '../../gen/index.js';
import type { StoreEvent } from '../store/index.js';
import { sameMessage } from './reconcile-equal.js';

/** What the shell looks up in its store for node changes. */
export interface AffectedLookups {
  /** IDs of services with a task on the node. */
  servicesOnNode(nodeId: string): Iterable<string>;
  /** IDs of global services and global jobs (they follow every node). */
  globalServices(): Iterable<string>;
}

/** Services to reconcile after these events; `all` when a cluster setting (task history limit) changed. */
export function affectedServices(events: readonly StoreEvent[], lookups: AffectedLookups): { all: boolean; serviceIds: Set<string> } {
  const serviceIds = new Set<string>();
  let all = false;
  for (const event of events) {
    switch (event.kind) {
      case 'service':
        serviceIds.add(event.object.id);
        break;
      case 'task':
        serviceIds.add(event.object.serviceId);
        if (event.previous !== undefined) serviceIds.add(event.previous.serviceId);
        break;
      case 'node':
        if (event.action === 'update' && event.previous !== undefined && !placementChanged(event.previous, event.object)) break;
        for (const id of lookups.servicesOnNode(event.object.id)) serviceIds.add(id);
        for (const id of lookups.globalServices()) serviceIds.add(id);
        break;
      case 'cluster':
        all = true;
        break;
      case 'network':
      case 'secret':
      case 'config':
        break;
    }
  }
  return { all, serviceIds };
}

/** Whether a node update can change where tasks may run (not e.g. a manager status refresh). */
function placementChanged(before: Node, after: Node): boolean {
  return before.status?.state !== after.status?.state || !sameMessage(before.spec, after.spec) || !sameMessage(before.description, after.description);
}
