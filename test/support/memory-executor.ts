// An Executor that "runs" task containers in memory, for simulated nodes at
// scale (issue #20): the real agent, session, dispatcher and managers, with
// only the engine simulated. Never shipped: it lives under test/.
import { err, ok, type Result } from '../../src/common/result.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import type { Task } from '../../src/gen/index.js';
import type { ContainerEvent, ContainerObservation, Executor, ExecutorError, FileMount, LogLine, OwnedContainer, Subscription } from '../../src/worker/index.js';

/** How the simulated engine behaves. */
export interface MemoryExecutorOptions {
  /** Time from start() to the container running. */
  startLatencyMs?: number;
  /** Fraction (0..1) of starts that exit at once with code 1. */
  failureRate?: number;
  /** Decides each failure; seeded by the caller so a run replays. */
  random?: () => number;
  clock?: Clock;
}

interface SimContainer {
  id: string;
  taskId: string;
  name: string;
  state: 'created' | 'running' | 'exited';
  exitCode: number;
}

let nextContainer = 0;

/** One simulated node's engine: containers are records, starts take `startLatencyMs`. */
export class MemoryExecutor implements Executor {
  private readonly containers = new Map<string, SimContainer>();
  private readonly byName = new Map<string, string>();
  private readonly watchers = new Set<(event: ContainerEvent) => void>();
  private readonly clock: Clock;

  constructor(private readonly options: MemoryExecutorOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Containers running now. */
  runningCount(): number {
    let n = 0;
    for (const c of this.containers.values()) if (c.state === 'running') n++;
    return n;
  }

  async prepare(task: Task, _files: readonly FileMount[]): Promise<Result<{ containerId: string }, ExecutorError>> {
    const name = `${task.serviceAnnotations?.name ?? task.serviceId}.${task.slot || task.nodeId}.${task.id}`;
    const existing = this.byName.get(name);
    if (existing) return ok({ containerId: existing });
    const id = `sim${(nextContainer++).toString(16).padStart(12, '0')}`;
    this.containers.set(id, { id, taskId: task.id, name, state: 'created', exitCode: 0 });
    this.byName.set(name, id);
    return ok({ containerId: id });
  }

  /** Takes startLatencyMs, as Docker's start call does, then the container runs (or exits at once, failureRate of the time). */
  async start(containerId: string): Promise<Result<void, ExecutorError>> {
    const c = this.containers.get(containerId);
    if (!c) return err({ message: `No such container: ${containerId}`, transient: false });
    const fail = (this.options.random ?? Math.random)() < (this.options.failureRate ?? 0);
    const latencyMs = this.options.startLatencyMs ?? 0;
    if (latencyMs > 0) await new Promise<void>((resolve) => this.clock.setTimer(latencyMs, resolve));
    if (!this.containers.has(containerId)) return err({ message: `No such container: ${containerId}`, transient: false });
    c.state = fail ? 'exited' : 'running';
    c.exitCode = fail ? 1 : 0;
    this.emit(c, fail ? 'die' : 'start');
    return ok(undefined);
  }

  async inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    const c = this.containers.get(containerId);
    if (!c) return ok({ kind: 'missing', containerId });
    switch (c.state) {
      case 'created':
        return ok({ kind: 'created', containerId });
      case 'running':
        return ok({ kind: 'running', containerId, pid: 1, health: '' });
      case 'exited':
        return ok({ kind: 'exited', containerId, exitCode: c.exitCode, error: '', oomKilled: false });
    }
  }

  async stop(containerId: string): Promise<Result<void, ExecutorError>> {
    const c = this.containers.get(containerId);
    if (!c) return ok(undefined);
    if (c.state === 'running') {
      c.state = 'exited';
      c.exitCode = 137;
      this.emit(c, 'die');
    }
    return ok(undefined);
  }

  async remove(containerId: string): Promise<Result<void, ExecutorError>> {
    const c = this.containers.get(containerId);
    if (!c) return ok(undefined);
    this.containers.delete(containerId);
    this.byName.delete(c.name);
    this.emit(c, 'destroy');
    return ok(undefined);
  }

  async listOwned(): Promise<Result<OwnedContainer[], ExecutorError>> {
    return ok([...this.containers.values()].map((c) => ({ containerId: c.id, taskId: c.taskId, name: c.name, running: c.state === 'running' })));
  }

  watch(_nodeId: string, onEvent: (event: ContainerEvent) => void): Subscription {
    this.watchers.add(onEvent);
    return { close: () => this.watchers.delete(onEvent) };
  }

  async *logs(): AsyncIterable<LogLine> {
    return;
  }

  private emit(c: SimContainer, action: string): void {
    for (const w of this.watchers) w({ containerId: c.id, taskId: c.taskId, action });
  }
}
