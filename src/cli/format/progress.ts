import { isTerminal } from '../../common/task-state.js';
import { codec, type Service, type Task, type TaskStatus_State } from '../../gen/index.js';
import { truncateId } from './human.js';

// Docker's progress-bar value of each task state (its numberedStates); states
// it does not number (REMOVE, ORPHANED) are skipped like Docker skips them.
// Only the bars use these numbers: state order is src/common/task-state.ts.
const STATE_NUMBER: Partial<Record<TaskStatus_State, number>> = {
  NEW: 1, PENDING: 3, ASSIGNED: 4, ACCEPTED: 5, PREPARING: 6, STARTING: 8, RUNNING: 9, COMPLETE: 10, SHUTDOWN: 11, FAILED: 12, REJECTED: 13,
};
const MAX_PROGRESS = 9;
const MAX_JOB_PROGRESS = 10;
const MAX_PROGRESS_BARS = 20;
// Longest non-terminal state name ("allocated", "preparing"), the width Docker pads states to.
const STATE_WIDTH = 9;
const DEFAULT_MONITOR_MS = 5000;

const num = (s: TaskStatus_State | undefined): number => (s === undefined ? 0 : (STATE_NUMBER[s] ?? 0));
const terminal = (s: TaskStatus_State | undefined): boolean => s !== undefined && isTerminal(s);

/** What the progress renderer remembers between polls (Docker keeps the same in its updater). */
export interface ProgressState {
  initialized: boolean;
  /** All tasks were running at the last poll; per-task lines stop changing. */
  done: boolean;
  /** Task slots mapped to the 1..N shown, in order of first sight. */
  slotMap: Map<number, number>;
  /** Progress lines by ID ("overall progress", "1/3", "verify", ...), in order of first appearance. */
  lines: Map<string, string>;
  convergedAtMs: number | undefined;
  converged: boolean;
  rollback: boolean;
  /** A rollback message to print after "converged". */
  pendingMessage: string | undefined;
  /** Global jobs: the nodes the job runs on, fixed at the first poll with tasks. */
  jobNodes: Set<string> | undefined;
}

/** One poll of the service: its spec and status, its up-to-date tasks, and the nodes that are not down. */
export interface ProgressInput {
  service: Service;
  /** The tasks of the service's current spec version (Docker's `_up-to-date` filter). */
  tasks: readonly Task[];
  activeNodeIds: ReadonlySet<string>;
  nowMs: number;
  /** How the service is named in "verify: Service X converged" (Docker prints what the user typed, or the new ID on create). */
  serviceLabel: string;
  /** Terminal width; Docker draws bars only when it is over 110 columns. */
  terminalWidth?: number;
}

/** What one poll produced: the lines to show, those written this time, and whether to stop. */
export interface ProgressStep {
  state: ProgressState;
  /** The whole progress display, one line per ID, as a terminal shows it after this poll (redraw it in place). */
  screen: string[];
  /** The lines to append when stdout is not a terminal, as Docker prints them there (no bars). */
  plainLines: string[];
  /** 'wait': poll again (Docker waits 200ms); 'done': converged; 'failed': stop with `error`. */
  outcome: 'wait' | 'done' | 'failed';
  error?: string;
}

/** The state before the first poll. */
export function initialProgressState(): ProgressState {
  return { initialized: false, done: false, slotMap: new Map(), lines: new Map(), convergedAtMs: undefined, converged: false, rollback: false, pendingMessage: undefined, jobNodes: undefined };
}

/** Docker's progress bar: 50 cells, `=` up to the fraction, then `>`, drawn on wide terminals only. */
export function progressBar(current: number, total: number, width = 200): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return '';
  const pct = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  return width > 110 ? `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] ` : '';
}

/** Errors in progress lines: one line, at most 75 characters. */
function truncError(message: string): string {
  const flat = message.replace(/\n/g, ' ');
  return flat.length > 75 ? `${flat.slice(0, 74)}…` : flat;
}

class Writer {
  /** What a non-terminal gets: Docker drops bar updates there and prints the rest without the bar's space. */
  readonly plain: string[] = [];
  constructor(
    private readonly lines: Map<string, string>,
    private readonly width: number,
  ) {}
  /** Docker's "ID: ACTION PROGRESS" line. */
  progress(id: string, action: string, current = 0, total = 0): void {
    this.lines.set(id, `${id}: ${action} ${progressBar(current, total, this.width)}`);
    if (current <= 0 && total <= 0) this.plain.push(`${id}: ${action}`);
  }
  /** A message without an ID. */
  message(text: string): void {
    this.lines.set(`\u0000${this.lines.size}`, text);
    this.plain.push(text);
  }
}

function pickBy<K>(tasks: readonly Task[], key: (t: Task) => K): Map<K, Task> {
  // Per slot (or node), the task furthest from done: lowest desired state, then lowest state.
  const out = new Map<K, Task>();
  for (const t of tasks) {
    if (num(t.desiredState) === 0 || num(t.status?.state) === 0) continue;
    const existing = out.get(key(t));
    if (existing !== undefined) {
      if (num(existing.desiredState) < num(t.desiredState)) continue;
      if (num(existing.desiredState) === num(t.desiredState) && num(existing.status?.state) <= num(t.status?.state)) continue;
    }
    out.set(key(t), t);
  }
  return out;
}

function overall(w: Writer, running: number, total: number, rollback: boolean): void {
  w.progress('overall progress', rollback ? `rolling back update: ${running} out of ${total} tasks` : `${running} out of ${total} tasks`);
}

function taskLine(w: Writer, id: string, task: Task, maxProgress: number): void {
  const err = task.status?.err ?? '';
  if (err !== '') {
    w.progress(id, truncError(err));
    return;
  }
  const state = task.status?.state ?? 'NEW';
  w.progress(id, state.toLowerCase().padEnd(STATE_WIDTH), num(state), maxProgress);
}

function updateReplicated(s: ProgressState, w: Writer, replicas: number, input: ProgressInput): boolean {
  if (!s.initialized) {
    overall(w, 0, replicas, s.rollback);
    if (replicas <= MAX_PROGRESS_BARS) for (let i = 1; i <= replicas; i++) w.progress(`${i}/${replicas}`, ' ');
    s.initialized = true;
  }
  const bySlot = pickBy(
    input.tasks.filter((t) => t.nodeId === '' || input.activeNodeIds.has(t.nodeId)),
    (t) => t.slot,
  );
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  if (s.done && slots.some((slot) => bySlot.get(slot)?.status?.state !== 'RUNNING')) s.done = false;
  let running = 0;
  for (const slot of slots) {
    const task = bySlot.get(slot) as Task;
    let mapped = s.slotMap.get(slot);
    if (mapped === undefined) {
      mapped = s.slotMap.size + 1;
      s.slotMap.set(slot, mapped);
    }
    if (!terminal(task.desiredState) && task.status?.state === 'RUNNING') running++;
    if (s.done || replicas > MAX_PROGRESS_BARS || mapped > replicas) continue;
    if ((task.status?.err ?? '') !== '' || (!terminal(task.desiredState) && !terminal(task.status?.state))) taskLine(w, `${mapped}/${replicas}`, task, MAX_PROGRESS);
  }
  if (!s.done) {
    overall(w, running, replicas, s.rollback);
    if (running === replicas) s.done = true;
  }
  return running === replicas;
}

function updateGlobal(s: ProgressState, w: Writer, input: ProgressInput): boolean {
  const byNode = pickBy(input.tasks, (t) => t.nodeId);
  const nodeCount = byNode.size;
  if (!s.initialized) {
    if (nodeCount === 0) {
      w.progress('overall progress', 'waiting for new tasks');
      return false;
    }
    overall(w, 0, nodeCount, s.rollback);
    s.initialized = true;
  }
  const nodes = [...byNode.keys()].sort();
  if (s.done && nodes.some((n) => byNode.get(n)?.status?.state !== 'RUNNING')) s.done = false;
  let running = 0;
  for (const node of nodes) {
    if (!input.activeNodeIds.has(node)) continue;
    const task = byNode.get(node) as Task;
    if (!terminal(task.desiredState) && task.status?.state === 'RUNNING') running++;
    if (s.done || nodeCount > MAX_PROGRESS_BARS) continue;
    if ((task.status?.err ?? '') !== '' || (!terminal(task.desiredState) && !terminal(task.status?.state))) taskLine(w, truncateId(node), task, MAX_PROGRESS);
  }
  if (!s.done) {
    overall(w, running, nodeCount, s.rollback);
    if (running === nodeCount) s.done = true;
  }
  return running === nodeCount;
}

function jobOverall(w: Writer, completed: number, total: number, active: number, concurrent: number): void {
  w.progress('job progress', `${String(completed).padStart(String(total).length)} out of ${total} complete`, completed, total);
  const desired = Math.min(total - completed, concurrent);
  const digits = String(concurrent).length;
  w.progress('active tasks', `${String(active).padStart(digits)} out of ${String(desired).padStart(digits)} tasks`);
}

function updateReplicatedJob(s: ProgressState, w: Writer, total: number, concurrent: number, input: ProgressInput): boolean {
  if (!s.initialized) {
    jobOverall(w, 0, total, 0, concurrent);
    if (total <= MAX_PROGRESS_BARS) for (let i = 1; i <= total; i++) w.progress(`${i}/${total}`, ' ');
    s.initialized = true;
  }
  // Per slot, the task least far along (Docker keeps the lowest state).
  const bySlot = new Map<number, Task>();
  for (const t of input.tasks) {
    if (num(t.desiredState) === 0 || num(t.status?.state) === 0) continue;
    const existing = bySlot.get(t.slot);
    if (existing === undefined || num(existing.status?.state) > num(t.status?.state)) bySlot.set(t.slot, t);
  }
  let active = 0;
  let complete = 0;
  for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
    const task = bySlot.get(slot) as Task;
    // Job slots are 1-based in shoal; Docker's are 0-based and shown +1.
    if (total <= MAX_PROGRESS_BARS) taskLine(w, `${slot}/${total}`, task, MAX_JOB_PROGRESS);
    if (!isTerminal(task.status?.state ?? 'NEW')) active++;
    if (task.status?.state === 'COMPLETE') complete++;
  }
  jobOverall(w, complete, total, active, concurrent);
  return complete === total;
}

function updateGlobalJob(s: ProgressState, w: Writer, input: ProgressInput): boolean {
  if (!s.initialized) {
    if (input.tasks.length === 0 && input.activeNodeIds.size !== 0) {
      w.progress('job progress', 'waiting for tasks');
      return false;
    }
    s.jobNodes = new Set(input.tasks.map((t) => t.nodeId));
    s.initialized = true;
    const total = s.jobNodes.size;
    w.progress('job progress', `${String(0).padStart(String(total).length)} out of ${total} complete`, 0, total);
  }
  const nodes = s.jobNodes ?? new Set<string>();
  const total = nodes.size;
  const byNode = new Map<string, Task>();
  for (const t of input.tasks) {
    if (!nodes.has(t.nodeId)) continue;
    const existing = byNode.get(t.nodeId);
    if (existing === undefined || num(existing.status?.state) > num(t.status?.state)) byNode.set(t.nodeId, t);
  }
  let complete = 0;
  for (const node of [...byNode.keys()].sort()) {
    const task = byNode.get(node) as Task;
    if (total <= MAX_PROGRESS_BARS) taskLine(w, node, task, MAX_JOB_PROGRESS);
    if (task.status?.state === 'COMPLETE') complete++;
  }
  w.progress('job progress', `${String(complete).padStart(String(total).length)} out of ${total} complete`, complete, total);
  return complete === total;
}

/**
 * One poll of Docker's convergence display for `service create/update/scale`
 * (without -d): feeds the service and its tasks through the same rules as
 * Docker's progress updaters, then the "verify" countdown over the update
 * monitor period. Pure: the caller polls, passes `nowMs`, redraws `screen`
 * (or appends `plainLines` when not on a terminal), and stops on 'done' or 'failed'.
 */
export function progressStep(previous: ProgressState, input: ProgressInput): ProgressStep {
  const s: ProgressState = { ...previous, slotMap: new Map(previous.slotMap), lines: new Map(previous.lines), jobNodes: previous.jobNodes === undefined ? undefined : new Set(previous.jobNodes) };
  const w = new Writer(s.lines, input.terminalWidth ?? 200);
  const finish = (outcome: ProgressStep['outcome'], error?: string): ProgressStep => ({ state: s, screen: [...s.lines.values()], plainLines: w.plain, outcome, ...(error === undefined ? {} : { error }) });
  const spec = input.service.spec;
  const monitorMs = (spec?.update?.monitorMs ?? 0) > 0 ? (spec?.update?.monitorMs ?? DEFAULT_MONITOR_MS) : DEFAULT_MONITOR_MS;
  const status = input.service.updateStatus;
  switch (status?.state) {
    case 'UPDATING':
      s.rollback = false;
      break;
    case 'COMPLETED':
      if (!s.converged) return finish('done');
      break;
    case 'PAUSED':
      return finish('failed', `service update paused: ${status.message}`);
    case 'ROLLBACK_STARTED':
      if (!s.rollback && status.message !== '') w.progress('rollback', status.message);
      s.rollback = true;
      break;
    case 'ROLLBACK_PAUSED':
      return finish('failed', `service rollback paused: ${status.message}`);
    case 'ROLLBACK_COMPLETED':
      if (!s.converged) s.pendingMessage = status.message;
      s.rollback = true;
      break;
    default:
      break;
  }
  if (s.converged && s.convergedAtMs !== undefined && input.nowMs - s.convergedAtMs >= monitorMs) {
    w.progress('verify', `Service ${input.serviceLabel} converged`);
    if (s.pendingMessage !== undefined) w.progress('rollback', s.pendingMessage);
    return finish('done');
  }

  const mode = spec?.mode;
  let converged: boolean;
  switch (mode?.kind ?? 'REPLICATED') {
    case 'REPLICATED':
      converged = updateReplicated(s, w, mode?.replicas ?? 0, input);
      break;
    case 'GLOBAL':
      converged = updateGlobal(s, w, input);
      break;
    case 'REPLICATED_JOB':
      converged = updateReplicatedJob(s, w, mode?.totalCompletions ?? 0, mode?.maxConcurrent ?? 0, input);
      break;
    case 'GLOBAL_JOB':
      converged = updateGlobalJob(s, w, input);
      break;
  }
  s.converged = converged;
  if (converged) {
    if (mode?.kind === 'REPLICATED_JOB' || mode?.kind === 'GLOBAL_JOB') {
      w.message('job complete');
      return finish('done');
    }
    s.convergedAtMs ??= input.nowMs;
    const waitMs = monitorMs - (input.nowMs - s.convergedAtMs);
    if (waitMs >= 0) w.progress('verify', `Waiting ${Math.floor(waitMs / 1000) + 1} seconds to verify that tasks are stable...`);
  } else {
    if (s.convergedAtMs !== undefined) w.progress('verify', 'Detected task failure');
    s.convergedAtMs = undefined;
  }
  return finish('wait');
}

/**
 * Docker's `_up-to-date` task filter: tasks made from the service's current
 * task spec; tasks a `--rebalance` is moving are not, until replaced.
 */
export function upToDateTasks(service: Service, tasks: readonly Task[]): Task[] {
  const current = Buffer.from(codec.TaskSpec.encode(service.spec?.task ?? {})).toString('base64');
  const moving = new Set(service.rebalance?.taskIds ?? []);
  return tasks.filter((t) => !moving.has(t.id) && Buffer.from(codec.TaskSpec.encode(t.spec ?? {})).toString('base64') === current);
}

/** What Docker prints when the user interrupts the wait before convergence. */
export function progressInterruptedLines(serviceLabel: string): string[] {
  return ['Operation continuing in background.', `Use \`shoal service ps ${serviceLabel}\` to check progress.`];
}
