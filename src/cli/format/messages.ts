// The one-line results Docker 28 prints after a command succeeds.

/** `node promote`: a note when the node already is a manager, else the promotion. */
export function promotedLine(nodeId: string, alreadyManager: boolean): string {
  return alreadyManager ? `Node ${nodeId} is already a manager.` : `Node ${nodeId} promoted to a manager in the swarm.`;
}

/** `node demote`: a note when the node already is a worker, else the demotion. */
export function demotedLine(nodeId: string, alreadyWorker: boolean): string {
  return alreadyWorker ? `Node ${nodeId} is already a worker.` : `Manager ${nodeId} demoted in the swarm.`;
}

/** `stack rm` and `stack deploy --prune`: one line per object removed, as Docker prints them. */
export function stackRemovingLine(kind: 'service' | 'network' | 'secret' | 'config', name: string): string {
  return `Removing ${kind} ${name}`;
}

/** `stack deploy`: one line per object created. */
export function stackCreatingLine(kind: 'network' | 'secret' | 'config' | 'service', name: string): string {
  return `Creating ${kind} ${name}`;
}

/** `stack deploy`: a service that already exists is updated. */
export function stackUpdatingLine(name: string, id: string): string {
  return `Updating service ${name} (id: ${id})`;
}

/** `stack rm` of a stack with nothing in it (printed on stderr). */
export function stackNothingFoundLine(namespace: string): string {
  return `Nothing found in stack: ${namespace}`;
}
