// Leader forwarding: every call that only the leader can answer (Control,
// Raft.Join/Leave, the dispatcher) is answered here when this manager
// leads and passed to the leader otherwise.
import { ControlService, DispatcherService, RaftService } from '../gen/index.js';
import { callHandler, createClient, proxyHandlers, RpcError, type Handlers, type RpcClient, type TlsMaterial } from '../rpc/index.js';
import { MANAGER_ROLE } from './ca/index.js';
import type { Dispatcher } from './dispatcher/index.js';
import { NO_LEADER } from './raft-failure.js';

/** How a follower's dispatcher refuses a node's session, naming the leader (the agent goes there next). */
export const NOT_LEADER_PREFIX = 'this manager is not the leader; the leader is at ';

/** What a manager removed from the Raft group answers (it can neither lead nor reach the leader). */
export const REMOVED_MANAGER = 'This node is no longer one of the swarm\'s managers (another manager forced a new cluster, or removed it): run "shoal swarm leave --force" on it, then join the swarm again.';

/** How long a follower waits for an election to name a leader before answering "no leader": longer than one election (1-2 s). */
const LEADER_WAIT_MS = 3_000;

/**
 * How a call forwarded to the leader failed, as the follower must answer it:
 * - `unsent`: the leader could not be reached at all, so the call never
 *   left; it is safe to send again to whoever leads next.
 * - `cut`: the connection failed or timed out mid-call; the leader may have
 *   made the change, so it must not be sent again.
 * - `answer`: the leader answered with an error; pass it on as it is.
 */
export type ForwardFailure = 'unsent' | 'cut' | 'answer';

/**
 * Classifies a forwarded call's failure by its detail: the RPC client marks
 * failures that got no answer from the leader, and whether the call may
 * have left. Relayed as they are, they would read like a failure of the
 * caller's own connection (the CLI would say the local daemon is down).
 */
export function classifyForwardFailure(error: RpcError): ForwardFailure {
  const detail = error.detail;
  switch (detail?.kind) {
    case 'transport':
      return detail.sent === 'unsent' ? 'unsent' : 'cut';
    case 'not-leader':
    case 'node-removed':
    case undefined:
      // The leader's own timeout or cancellation: it may have acted.
      return error.kind === 'deadline-exceeded' || error.kind === 'cancelled' ? 'cut' : 'answer';
    default:
      return unreachableDetail(detail);
  }
}

function unreachableDetail(detail: never): never {
  throw new Error(`unknown error detail ${JSON.stringify(detail)}`);
}

/** What forwarding needs to know about this manager's Raft member. */
export interface LeaderForwardingDeps {
  tls: TlsMaterial;
  isLeader(): boolean;
  /** The leader's address (host:port), if one is known. */
  leaderAddr(): string | undefined;
  /** This member was removed from the Raft group: it can neither lead nor reach the leader. */
  removed(): boolean;
}

/** Runs calls on the leader: here when leading, else forwarded over mutual TLS. */
export class LeaderForwarder {
  private readonly controlClients = new Map<string, RpcClient<typeof ControlService>>();

  constructor(private readonly deps: LeaderForwardingDeps) {}

  /**
   * Runs a call on the leader: here when leading, else sent to the leader,
   * waiting out an election (bounded by LEADER_WAIT_MS) while no leader is
   * known or the known one cannot be reached. A call the leader may have
   * received is never sent twice; transport failures are reworded so they
   * cannot pass for a failure of the caller's own connection.
   */
  async viaLeader<T>(remote: (addr: string) => Promise<T>, local: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    let unreachable: string | undefined;
    for (;;) {
      if (this.deps.removed()) throw new RpcError('failed-precondition', REMOVED_MANAGER);
      if (this.deps.isLeader()) return local();
      const addr = this.deps.leaderAddr();
      if (addr && addr !== unreachable) {
        try {
          return await remote(addr);
        } catch (error) {
          const e = RpcError.from(error);
          const failure = classifyForwardFailure(e);
          if (failure === 'answer') throw e;
          if (failure === 'cut') throw new RpcError('unavailable', `the leader (${addr}) stopped answering during the call, so it may or may not have taken effect: check, then retry if needed`);
          unreachable = addr;
          // A fresh channel next time: grpc-js would otherwise back off reconnecting for up to two minutes.
          this.controlClients.get(addr)?.close();
          this.controlClients.delete(addr);
        }
      }
      if (Date.now() >= deadline) throw new RpcError('unavailable', NO_LEADER);
      await sleep(100);
    }
  }

  /** Control on this manager: `local` when leading, forwarded to the leader otherwise. */
  controlRouter(local: Handlers<typeof ControlService>): Handlers<typeof ControlService> {
    return proxyHandlers(ControlService, (method, args) =>
      this.viaLeader(
        (addr) => (this.controlClient(addr)[method] as (r: unknown) => Promise<unknown>)(args[0]),
        () => callHandler(local, method, args),
      ),
    );
  }

  /** One call to the Raft service of the manager at `addr` (the leader, for Join and Leave). */
  async withRaftClient<T>(addr: string, fn: (client: RpcClient<typeof RaftService>) => Promise<T>): Promise<T> {
    const client = createClient(RaftService, addr, { tls: this.deps.tls, expect: { role: MANAGER_ROLE } });
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  /** Closes the channels to leaders. */
  close(): void {
    for (const c of this.controlClients.values()) c.close();
    this.controlClients.clear();
  }

  private controlClient(addr: string): RpcClient<typeof ControlService> {
    let client = this.controlClients.get(addr);
    if (!client) this.controlClients.set(addr, (client = createClient(ControlService, addr, { tls: this.deps.tls, expect: { role: MANAGER_ROLE } })));
    return client;
  }
}

/**
 * The Dispatcher service on a manager: calls reach whichever dispatcher
 * leads now; others are refused, naming the leader, so an agent whose list
 * of managers is stale still finds it through any manager.
 */
export function leaderDispatcher(current: () => Dispatcher | undefined, deps: Pick<LeaderForwardingDeps, 'isLeader' | 'leaderAddr'>): Handlers<typeof DispatcherService> {
  // Async, so the refusal is a rejected promise the server answers with: a synchronous
  // throw would escape grpc-js and leave the agent's session stream hanging unanswered.
  return proxyHandlers(DispatcherService, async (method, args) => {
    const dispatcher = current();
    if (!dispatcher) {
      const leader = deps.leaderAddr();
      const named = leader && !deps.isLeader() ? leader : undefined;
      throw new RpcError('unavailable', named ? `${NOT_LEADER_PREFIX}${named}` : 'this manager is not the leader; try another manager', { kind: 'not-leader', leaderAddr: named });
    }
    return callHandler(dispatcher.handlers(), method, args);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
