import type { Logger } from 'pino';
import type { StoreAction, Task } from '../../gen/index.js';
import type { TaskId } from '../../common/ids.js';
import { SchedulerState, schedulePending } from '../../scheduler/index.js';
import { awaitsAllocation } from '../allocator/index.js';
import type { MemoryStore, StoreChangeSet } from '../store/index.js';
import { PassLoop } from './pass-loop.js';
import type { Clock } from '../../common/clock.js';
import type { Propose } from './ports.js';

/** Batch scheduling decisions at our own pace: at most one pass per this interval. */
const PASS_INTERVAL_MS = 10;

/**
 * The leader's scheduler shell: keeps the scheduler's indexed state in step
 * with the store (every change, in commit order), runs a pass when tasks
 * are waiting, and commits the plan: assignments as ASSIGNED tasks on their
 * nodes, explanations into the status of tasks that stay pending. Tasks
 * waiting for their network addresses (allocator) are not seen until they
 * have them.
 */
export class SchedulerLoop extends PassLoop {
  private readonly state: SchedulerState;
  private readonly lastReason = new Map<string, string>();

  constructor(
    store: MemoryStore,
    private readonly propose: Propose,
    clock: Clock,
    log: Logger,
  ) {
    super(store, clock, log, PASS_INTERVAL_MS, 'scheduler');
    this.state = SchedulerState.fromSnapshot({ nodes: store.list('node'), tasks: store.listTasks().filter((t) => !awaitsAllocation(t)), services: store.list('service') });
  }

  protected follow(changes: StoreChangeSet): boolean {
    let wake = false;
    for (const event of changes.events) {
      switch (event.kind) {
        case 'node':
          if (event.action === 'remove') this.state.nodeRemoved(event.object.id as never);
          else this.state.nodeUpserted(event.object);
          wake = true;
          break;
        case 'service':
          if (event.action === 'remove') this.state.serviceRemoved(event.object.id as never);
          else this.state.serviceUpserted(event.object);
          break;
        case 'task':
          if (event.action === 'remove') this.state.taskRemoved(event.object.id as TaskId);
          else if (awaitsAllocation(event.object)) break; // the allocator writes it again once it has addresses
          else if (event.action === 'create') this.state.taskAdded(event.object);
          else this.state.taskUpdated(event.object);
          wake = true;
          break;
        default:
          break;
      }
    }
    return wake;
  }

  protected async runPass(): Promise<void> {
    if (this.state.pending.size === 0) return;
    const nowMs = this.clock.nowMs();
    const plan = schedulePending(this.state, { now: nowMs, seed: this.store.appliedIndex });
    const actions: StoreAction[] = [];
    const assigned: TaskId[] = [];
    for (const a of plan.assignments) {
      const task = this.store.get('task', a.taskId);
      if (!task) continue;
      assigned.push(a.taskId);
      this.lastReason.delete(a.taskId);
      actions.push({ kind: 'UPDATE', object: { task: withStatus({ ...task, nodeId: a.nodeId }, 'ASSIGNED', 'scheduler assigned task to node', '', nowMs) } });
    }
    for (const u of plan.unplaceable) {
      const task = this.store.get('task', u.taskId);
      if (!task || this.lastReason.get(u.taskId) === u.reason) continue;
      this.lastReason.set(u.taskId, u.reason);
      actions.push({ kind: 'UPDATE', object: { task: withStatus(task, 'PENDING', 'pending task scheduling', u.reason, nowMs) } });
    }
    if (actions.length === 0) return;
    const result = await this.propose(actions).catch((error: unknown) => {
      this.log.warn({ err: error }, 'scheduler proposal failed');
      return undefined;
    });
    if (!result?.ok) {
      // Lost a race (a task changed meanwhile) or lost leadership: the tasks wait for the next pass.
      this.state.abandon(assigned);
      for (const u of plan.unplaceable) this.lastReason.delete(u.taskId);
      this.retryAfter(20);
    }
  }
}

function withStatus(task: Task, state: 'ASSIGNED' | 'PENDING', message: string, err: string, nowMs: number): Task {
  return { ...task, status: { ...(task.status ?? { exitCode: 0, pid: 0, containerId: '', health: '' }), state, message, err, timestampMs: nowMs } as Task['status'] };
}
