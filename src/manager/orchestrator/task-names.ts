// Task and container names (CONTRACT.md "Names and labels").
import type { Task } from '../../gen/index.js';

/** `SERVICE.SLOT` for replicated tasks, `SERVICE.NODEID` for global ones. */
export function taskName(task: Task): string {
  const service = task.serviceAnnotations?.name || task.serviceId;
  return `${service}.${task.slot === 0 ? task.nodeId : String(task.slot)}`;
}

/** The container Docker runs for the task: `SERVICE.SLOT.TASKID`. */
export function containerName(task: Task): string {
  return `${taskName(task)}.${task.id}`;
}
