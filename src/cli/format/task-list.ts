import type { Node, Task } from '../../gen/index.js';
import { capitalize, displayImage, ellipsis, humanDuration, naturalCompare, truncateId } from './human.js';
import { formatTaskPorts } from './ports.js';
import { renderRows } from './list-template.js';
import type { ListFormat } from './table.js';

/** Column names for custom `table` templates, as Docker names them. */
const TASK_HEADERS = { ID: 'ID', Name: 'NAME', Image: 'IMAGE', Node: 'NODE', DesiredState: 'DESIRED STATE', CurrentState: 'CURRENT STATE', Error: 'ERROR', Ports: 'PORTS' };

/** How `service ps`, `node ps` and `stack ps` print tasks. */
export interface TaskListOptions {
  format: ListFormat;
  /** `--no-trunc`: full IDs, images with digests, whole errors. */
  noTrunc?: boolean;
  /** `--no-resolve`: service and node IDs instead of names. */
  noResolve?: boolean;
  /** Service names by ID (tasks also carry their service's name). */
  serviceNames?: ReadonlyMap<string, string>;
  /** Node hostnames by ID, for the NODE column. */
  nodeNames?: ReadonlyMap<string, string>;
  nowMs: number;
}

// Docker truncates task errors to this many characters unless --no-trunc.
const MAX_ERROR_LENGTH = 30;

/** A task's name as Docker shows it: `SERVICE.SLOT`, or `SERVICE.NODEID` for global services. */
export function taskName(task: Task, opts: Pick<TaskListOptions, 'noResolve' | 'serviceNames'>): string {
  const service = opts.noResolve === true ? task.serviceId : (opts.serviceNames?.get(task.serviceId) ?? task.serviceAnnotations?.name ?? task.serviceId);
  return task.slot !== 0 ? `${service}.${task.slot}` : `${service}.${task.nodeId}`;
}

/** The CURRENT STATE column: "Running 5 minutes ago". */
export function taskCurrentState(task: Task, nowMs: number): string {
  const status = task.status;
  return `${capitalize(status?.state ?? 'NEW')} ${humanDuration(nowMs - (status?.timestampMs ?? nowMs)).toLowerCase()} ago`;
}

type TaskRow = {
  ID: string;
  Name: string;
  Image: string;
  Node: string;
  DesiredState: string;
  CurrentState: string;
  Error: string;
  Ports: string;
};

/**
 * Tasks as Docker's task printer shows them: sorted by name (naturally), the
 * newest first within a slot, and in tables the older tasks of a slot
 * indented with ` \_ `.
 */
export function formatTaskList(tasks: readonly Task[], opts: TaskListOptions): string[] {
  const trunc = opts.noTrunc !== true;
  const named = tasks.map((t) => ({ task: t, name: taskName(t, opts) }));
  named.sort((a, b) => {
    if (a.name !== b.name) return naturalCompare(a.name, b.name);
    return (b.task.meta?.createdAtMs ?? 0) - (a.task.meta?.createdAtMs ?? 0);
  });
  const indent = opts.format === 'table' || (typeof opts.format === 'object' && opts.format.table) ? ' \\_ ' : '';
  let previous: string | undefined;
  const rows: TaskRow[] = named.map(({ task, name }) => {
    const shownName = name === previous ? indent + name : name;
    previous = name;
    const image = task.spec?.container?.image ?? '';
    const err = trunc ? ellipsis(task.status?.err ?? '', MAX_ERROR_LENGTH) : (task.status?.err ?? '');
    const node = opts.noResolve === true ? task.nodeId : (opts.nodeNames?.get(task.nodeId) ?? task.nodeId);
    return {
      ID: trunc ? truncateId(task.id) : task.id,
      Name: shownName,
      Image: trunc ? displayImage(image) : image,
      Node: node,
      DesiredState: capitalize(task.desiredState),
      CurrentState: taskCurrentState(task, opts.nowMs),
      Error: err === '' ? '' : `"${err}"`,
      Ports: formatTaskPorts(task.endpoint?.ports ?? []),
    };
  });
  return renderRows(rows, opts.format, { quiet: (r) => r.ID, headers: ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'], cells: (r) => [r.ID, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, r.Error, r.Ports], templateHeaders: TASK_HEADERS });
}

/** How Docker's ID resolver names a node in task lists: its spec name if set, else its hostname. */
export function nodeDisplayName(node: Node): string {
  const name = node.spec?.annotations?.name ?? '';
  return name !== '' ? name : (node.description?.hostname ?? node.id);
}

/** The NODE column's lookup table for `formatTaskList`. */
export function nodeNamesById(nodes: readonly Node[]): Map<string, string> {
  return new Map(nodes.map((n) => [n.id, nodeDisplayName(n)]));
}
