// Names and labels of task containers, as CONTRACT.md "Names and labels" and
// Docker's swarm executor define them, so existing Docker tooling recognises
// them and several daemons sharing one engine can tell theirs apart.
import type { Task } from '../gen/index.js';

/** Docker's swarm labels on task containers. */
export const LABELS = {
  nodeId: 'com.docker.swarm.node.id',
  serviceId: 'com.docker.swarm.service.id',
  serviceName: 'com.docker.swarm.service.name',
  task: 'com.docker.swarm.task',
  taskId: 'com.docker.swarm.task.id',
  taskName: 'com.docker.swarm.task.name',
  stackNamespace: 'com.docker.stack.namespace',
} as const;

/** The service's name as the task carries it. */
export function serviceName(task: Task): string {
  return task.serviceAnnotations?.name ?? '';
}

/** `SERVICE.SLOT` for replicated tasks, `SERVICE.NODEID` for global ones (slot 0). */
export function taskName(task: Task): string {
  return `${serviceName(task)}.${task.slot > 0 ? String(task.slot) : task.nodeId}`;
}

/** `SERVICE.SLOT.TASKID` (or `SERVICE.NODEID.TASKID`). */
export function containerName(task: Task): string {
  return `${taskName(task)}.${task.id}`;
}

/** The spec's container labels overlaid with the swarm labels (ours win, as in Docker). */
export function containerLabels(task: Task): Record<string, string> {
  const labels: Record<string, string> = { ...(task.spec?.container?.labels ?? {}) };
  const namespace = task.serviceAnnotations?.labels[LABELS.stackNamespace];
  if (namespace !== undefined && namespace !== '') labels[LABELS.stackNamespace] = namespace;
  labels[LABELS.nodeId] = task.nodeId;
  labels[LABELS.serviceId] = task.serviceId;
  labels[LABELS.serviceName] = serviceName(task);
  labels[LABELS.task] = '';
  labels[LABELS.taskId] = task.id;
  labels[LABELS.taskName] = containerName(task);
  return labels;
}
