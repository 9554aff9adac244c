import type { AssignmentsMessage, Task } from '../gen/index.js';
import { emptyNodeResources, peerKey, type NodeResources } from '../worker/index.js';

/**
 * Folds one assignments message into the node's tasks (changed in place)
 * and resources (returned: a new object per message, so the agent can tell
 * whether anything changed). A COMPLETE message replaces everything.
 */
export function foldAssignments(tasks: Map<string, Task>, resources: NodeResources, message: AssignmentsMessage): NodeResources {
  if (message.type === 'COMPLETE') tasks.clear();
  const next = message.type === 'COMPLETE' ? emptyNodeResources() : resources;
  const secrets = new Map(next.secrets);
  const configs = new Map(next.configs);
  const networks = new Map(next.networks);
  const peers = new Map(next.peers);
  const services = new Map(next.services);
  for (const { action, assignment } of message.changes) {
    const remove = action === 'REMOVE';
    const set = <T>(map: Map<string, T>, key: string, value: T): void => {
      if (remove) map.delete(key);
      else map.set(key, value);
    };
    if (assignment?.task) set(tasks, assignment.task.id, assignment.task);
    else if (assignment?.secret) set(secrets, assignment.secret.id, assignment.secret);
    else if (assignment?.config) set(configs, assignment.config.id, assignment.config);
    else if (assignment?.network) set(networks, assignment.network.id, assignment.network);
    else if (assignment?.peer) set(peers, peerKey(assignment.peer), assignment.peer);
    else if (assignment?.service) set(services, assignment.service.id, assignment.service);
  }
  return { secrets, configs, networks, peers, services };
}
