import type { Logger } from 'pino';
import type { Secret } from '../gen/index.js';
import type { SoftState } from '../raft/index.js';
import { nodeSatisfiesPlacement } from '../scheduler/index.js';
import type { AllocationPort, Serializer } from './control/index.js';
import { Dispatcher, tcpLivenessProbe, type DispatcherWriter } from './dispatcher/index.js';
import { systemClock } from '../common/clock.js';
import { AllocatorLoop } from './leader/allocator-loop.js';
import { StoreDispatcherView } from './leader/dispatcher-view.js';
import { OrchestratorLoop } from './leader/orchestrator-loop.js';
import type { Propose } from './leader/ports.js';
import { SchedulerLoop } from './leader/scheduler-loop.js';
import { statusWriter } from './leader/status-writer.js';
import { LogBroker } from './logs/index.js';
import { newObjectId } from './object-id.js';
import type { MemoryStore } from './store/index.js';

/** What one term of leadership needs from its manager. */
export interface LeaderTermDeps {
  store: MemoryStore;
  propose: Propose;
  /** Addresses of every manager, for agents to fail over between. */
  managerAddrs(): string[];
  /** A stored secret opened for a node that needs it (undefined: it cannot be opened now). */
  openSecret(sealed: Secret): Secret | undefined;
  /** Control's allocating writes and the allocator's take turns here. */
  allocationWrites: Serializer;
  /** Called when nodes change while leading: the role manager acts on demotions. */
  onNodesChanged(): void;
  log: Logger;
}

/**
 * Everything a manager runs only while it leads: the dispatcher, the
 * orchestrator, allocator and scheduler loops, the log broker, and the
 * watch that reconciles manager roles. A new term builds a new one (the
 * allocator's address book is rebuilt from the store); stop() ends it.
 */
export class LeaderTerm {
  readonly dispatcher: Dispatcher;
  readonly broker: LogBroker;
  private readonly view: StoreDispatcherView;
  private readonly orchestrator: OrchestratorLoop;
  private readonly scheduler: SchedulerLoop;
  private readonly allocator: AllocatorLoop;
  private ended = false;
  private unwatchNodes: (() => void) | undefined;

  constructor(private readonly deps: LeaderTermDeps) {
    const { store, propose, log } = deps;
    this.view = new StoreDispatcherView(store, () => deps.managerAddrs(), (sealed) => deps.openSecret(sealed));
    this.dispatcher = new Dispatcher(this.view, whileLeading(statusWriter(propose), () => this.ended), systemClock, tcpLivenessProbe, log.child({ component: 'dispatcher' }));
    this.orchestrator = new OrchestratorLoop(store, propose, systemClock, { newId: newObjectId, isNodeEligible: nodeSatisfiesPlacement }, log.child({ component: 'orchestrator' }));
    this.scheduler = new SchedulerLoop(store, propose, systemClock, log.child({ component: 'scheduler' }));
    this.allocator = new AllocatorLoop(store, propose, systemClock, log.child({ component: 'allocator' }), (fn) => deps.allocationWrites.run(fn));
    this.broker = new LogBroker(
      {
        tasksOfService: (id) => store.tasksOfService(id),
        task: (id) => store.get('task', id),
        nodeName: (id) => store.get('node', id)?.description?.hostname || id,
      },
      log.child({ component: 'logs' }),
    );
  }

  /** Starts the loops and the dispatcher's expectations of the nodes it knows. */
  start(): void {
    const { store } = this.deps;
    this.allocator.start();
    this.orchestrator.start();
    this.scheduler.start();
    this.dispatcher.expectNodes(store.list('node').filter((n) => n.status?.state !== 'DOWN').map((n) => n.id));
    // Demotions: a node whose desired role became worker leaves the Raft group.
    this.unwatchNodes = store.watch((changes) => {
      if (changes.events.some((e) => e.kind === 'node')) this.deps.onNodesChanged();
    });
    this.deps.onNodesChanged();
  }

  /** Ends the term: the loops stop, and writes still batched are dropped (agents report again to the next leader). */
  stop(): void {
    this.ended = true;
    this.unwatchNodes?.();
    this.unwatchNodes = undefined;
    this.dispatcher.stop();
    this.view.close();
    this.orchestrator.stop();
    this.scheduler.stop();
    this.allocator.stop();
  }

  /** The allocator as Control uses it while this term lasts. */
  allocation(): AllocationPort {
    return { book: this.allocator.book, exclusive: (fn) => this.deps.allocationWrites.run(fn) };
  }

  /** Node IDs with an open session with this leader's dispatcher. */
  connectedNodes(): string[] {
    return this.dispatcher.connectedNodes();
  }
}

/** What following leadership needs besides what each term does. */
export interface LeadershipDeps extends LeaderTermDeps {
  isLeader(): boolean;
  /** Writes a new leader owes before its loops start (a new cluster's objects, a forced cluster's demotions). */
  firstWrites(log: Logger): Promise<void>;
}

/** Follows Raft's soft state: a LeaderTerm while this manager leads, none otherwise. */
export class Leadership {
  private term: LeaderTerm | undefined;
  private stopped = false;

  constructor(private readonly deps: LeadershipDeps) {}

  /** The term now running, if this manager leads. */
  current(): LeaderTerm | undefined {
    return this.term;
  }

  /** Starts a term on becoming leader, ends it on losing leadership. */
  follow(s: SoftState): void {
    if (this.stopped) return;
    if (s.role === 'leader' && !this.term) void this.startLeading();
    else if (s.role !== 'leader' && this.term) this.stopLeading();
  }

  /** Ends the current term, and follows no more (the manager is stopping). */
  stop(): void {
    this.stopped = true;
    this.stopLeading();
  }

  private async startLeading(): Promise<void> {
    const log = this.deps.log.child({ component: 'leader' });
    log.info('this manager is now the leader');
    await this.deps.firstWrites(log);
    if (!this.deps.isLeader() || this.term) return;
    this.term = new LeaderTerm(this.deps);
    this.term.start();
  }

  private stopLeading(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    this.deps.log.info('this manager is no longer the leader');
    term.stop();
  }
}

/**
 * The dispatcher's writer for one term of leadership: once it ended, its
 * batched reports are dropped instead of failing (and being retried) forever;
 * agents report their statuses again to the next leader.
 */
function whileLeading(writer: DispatcherWriter, over: () => boolean): DispatcherWriter {
  return {
    setNodeStatuses: (updates) => (over() ? Promise.resolve() : writer.setNodeStatuses(updates)),
    setTaskStatuses: (updates) => (over() ? Promise.resolve() : writer.setTaskStatuses(updates)),
  };
}
