import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { codec, type Node, type SwarmInfo, type SwarmInitRequest, type SwarmInitResponse, type SwarmJoinRequest, type SwarmJoinResponse } from '../gen/index.js';
import { RpcError } from '../rpc/index.js';
import { waitUntil } from '../common/wait-until.js';
import { CLUSTER_DEFAULTS, dataPathPortOf, newClusterObjects, newObjectId, parseJoinToken } from '../manager/index.js';
import type { Engine } from '../worker/index.js';
import { managerLeaveWarning } from './leave-warning.js';
import { chooseAdvertiseAddr, hostOf, localAddressTowards, withDefaultPort } from './addresses.js';
import type { LocalCluster } from './local-control.js';
import { NodeComponents } from './node-components.js';
import { joinRaftGroup } from './raft-join.js';
import { fetchPinnedRoot, newClusterCertificates, renew, requestCertificate } from './node-certificate.js';
import { forgetSwarm, loadNode, saveIdentity, saveNode, type NodeIdentity, type StoredNode } from './node-identity.js';
import { localRole, type LocalRole } from './roles.js';
import type { DaemonOptions } from './options.js';

const ALREADY_IN_SWARM = 'This node is already part of a swarm. Use "shoal swarm leave" to leave this swarm and join another one.';
const ROLE_RETRY_MS = 3_000;

/**
 * This host's membership in a swarm: init, join, leave, resume after a
 * restart, and role changes. What it runs for it (manager, agent, overlay,
 * session) is NodeComponents'; its certificate comes from node-certificate.ts.
 * Remembers everything in the data root, so a restarted daemon comes back as it was.
 */
export class SwarmNode {
  private stored: StoredNode | undefined;
  private readonly components: NodeComponents;
  private busy: Promise<unknown> = Promise.resolve();
  private roleChanging = false;
  private latestNode: Node | undefined;
  private roleRetry: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: DaemonOptions,
    engine: Engine,
    private readonly log: Logger,
  ) {
    this.components = new NodeComponents(options, engine, log, {
      onManagers: (addrs) => {
        if (!this.stored || addrs.join() === this.stored.identity.managerAddrs.join()) return;
        this.stored.identity.managerAddrs = addrs;
        saveIdentity(this.options.dataRoot, this.stored.identity);
      },
      onNode: (node) => this.followRole(node),
    });
  }

  /** Comes back into the swarm this node belonged to before a restart, if any. */
  async resume(): Promise<void> {
    this.stored = loadNode(this.options.dataRoot);
    if (!this.stored) return;
    const { identity } = this.stored;
    this.log.info({ nodeId: identity.nodeId, role: identity.role }, 'resuming swarm membership');
    if (identity.role === 'manager') await this.components.startManager(this.stored);
    await this.components.startAgent(this.stored);
  }

  /** `swarm init`: a new cluster with this node as its first manager. */
  init(req: SwarmInitRequest): Promise<SwarmInitResponse> {
    return this.exclusive(async () => {
      // As in Docker: with no swarm state to recover, --force-new-cluster is a plain init.
      if (req.forceNewCluster && this.stored) return this.forceNewCluster();
      if (this.stored) throw new RpcError('failed-precondition', ALREADY_IN_SWARM);
      const listenAddr = withDefaultPort(req.listenAddr || '0.0.0.0:2377');
      let advertiseAddr: string;
      try {
        advertiseAddr = chooseAdvertiseAddr(req.advertiseAddr, listenAddr);
      } catch (error) {
        throw new RpcError('invalid-argument', (error as Error).message);
      }
      const nodeId = newObjectId();
      const clusterId = newObjectId();
      const raftId = randomInt(1, 2 ** 31);
      const { ca, tls, digest, tokens } = await newClusterCertificates(nodeId, clusterId);
      const identity: NodeIdentity = { formatVersion: 1, nodeId, clusterId, role: 'manager', raftId, advertiseAddr, listenAddr, dataPathAddr: hostOf(advertiseAddr), dataPathPort: dataPathPortOf(req.dataPathPort), managerAddrs: [advertiseAddr] };
      const bootstrapObjects = newClusterObjects({
        clusterId, nodeId, raftId, advertiseAddr, nodeAddr: hostOf(advertiseAddr), description: await this.components.describe(),
        rootCa: { certPem: ca.certPem, keyPem: ca.keyPem, digest, tokens }, choices: req,
      });
      this.stored = { identity, tls };
      try {
        saveNode(this.options.dataRoot, this.stored);
        await this.components.startManager(this.stored, { bootstrapObjects });
        await waitUntil(() => (this.components.currentManager()?.store.list('cluster').length ?? 0) > 0, {
          timeoutMs: 15_000, intervalMs: 20, timedOut: () => new RpcError('unavailable', 'the new swarm did not elect its first leader within 15 s'),
        });
      } catch (error) {
        await this.components.stopAll();
        this.stored = undefined;
        forgetSwarm(this.options.dataRoot);
        throw error instanceof RpcError ? error : new RpcError('internal', `swarm init failed: ${(error as Error).message}`);
      }
      await this.components.startAgent(this.stored);
      return { nodeId, workerJoinCommand: `shoal swarm join --token ${tokens.worker} ${advertiseAddr}`, unlockKey: '' };
    });
  }

  /**
   * `swarm init --force-new-cluster` on a manager that lost quorum: its
   * Raft member restarts as the only voter with everything it had committed
   * (services, tasks, nodes kept); the other managers are no longer members
   * (their nodes become workers, which can be promoted again).
   */
  private async forceNewCluster(): Promise<SwarmInitResponse> {
    const stored = this.stored;
    if (!stored || stored.identity.role !== 'manager') {
      throw new RpcError('failed-precondition', 'This node is a worker: --force-new-cluster recovers a swarm from a manager\'s state; run it on a surviving manager (nothing was changed)');
    }
    await this.components.stopAll();
    stored.identity.managerAddrs = [stored.identity.advertiseAddr];
    saveIdentity(this.options.dataRoot, stored.identity);
    await this.components.startManager(stored, { forceNewCluster: true });
    await waitUntil(() => this.components.currentManager()?.isLeader() === true, {
      timeoutMs: 15_000, intervalMs: 50, timedOut: () => new RpcError('unavailable', 'the forced cluster did not elect this manager within 15 s'),
    });
    await this.components.startAgent(stored);
    const worker = this.components.currentManager()?.store.list('cluster')[0]?.rootCa?.joinTokens?.worker ?? '';
    this.log.warn('forced a new cluster from this manager\'s state; the other managers are no longer members');
    return { nodeId: stored.identity.nodeId, workerJoinCommand: `shoal swarm join --token ${worker} ${stored.identity.advertiseAddr}`, unlockKey: '' };
  }

  /** `swarm join`: get a certificate from a manager with the token, then run as the token's role. */
  join(req: SwarmJoinRequest): Promise<SwarmJoinResponse> {
    return this.exclusive(async () => {
      if (this.stored) throw new RpcError('failed-precondition', ALREADY_IN_SWARM);
      const token = parseJoinToken(req.joinToken);
      if (!token.ok) throw new RpcError('invalid-argument', token.error);
      const remote = withDefaultPort(req.remoteAddrs[0] ?? '');
      if (!req.remoteAddrs[0]) throw new RpcError('invalid-argument', 'the address of a manager is required: shoal swarm join --token TOKEN HOST:PORT');
      const caPem = await fetchPinnedRoot(remote, token.value.caDigest);
      const listenAddr = withDefaultPort(req.listenAddr || '0.0.0.0:2377');
      let advertiseAddr: string;
      try {
        const towardsManager = req.advertiseAddr ? undefined : await localAddressTowards(remote);
        advertiseAddr = chooseAdvertiseAddr(req.advertiseAddr || towardsManager || '', listenAddr);
      } catch (error) {
        throw new RpcError('invalid-argument', (error as Error).message);
      }
      const issued = await requestCertificate(remote, caPem, { joinToken: req.joinToken, advertiseAddr, nodeName: this.options.nodeName });
      const identity: NodeIdentity = { formatVersion: 1, nodeId: issued.nodeId, clusterId: issued.clusterId, role: issued.role, raftId: 0, advertiseAddr, listenAddr, dataPathAddr: hostOf(advertiseAddr), dataPathPort: CLUSTER_DEFAULTS.dataPathPort, managerAddrs: [remote] };
      this.stored = { identity, tls: issued.tls };
      saveNode(this.options.dataRoot, this.stored);
      if (issued.role === 'manager') {
        try {
          await this.joinRaft(remote);
        } catch (error) {
          await this.components.stopAll();
          this.stored = undefined;
          forgetSwarm(this.options.dataRoot);
          throw error instanceof RpcError ? error : new RpcError('internal', `joining the managers failed: ${(error as Error).message}`);
        }
      }
      await this.components.startAgent(this.stored);
      return { nodeId: issued.nodeId, manager: issued.role === 'manager' };
    });
  }

  /**
   * `swarm leave`: stop taking part, forget the swarm. A manager needs
   * --force (Docker's quorum warning otherwise); it then leaves the Raft
   * group first, so the others do not count it towards their quorum.
   */
  leave(force: boolean): Promise<void> {
    return this.exclusive(async () => {
      if (!this.stored) throw new RpcError('failed-precondition', 'This node is not part of a swarm');
      const manager = this.components.currentManager();
      if (this.stored.identity.role === 'manager') {
        if (!force) throw new RpcError('failed-precondition', managerLeaveWarning(await manager?.managerCounts().catch(() => undefined)));
        const outcome = (await manager?.leaveRaft()) ?? 'last';
        if (outcome === 'failed') this.log.warn('could not leave the Raft group within the time limit (no quorum?); leaving anyway as --force asks: the other managers count this one until "shoal node rm --force" or "swarm init --force-new-cluster"');
      }
      await this.components.dropWorkload();
      await this.components.stopAll();
      this.stored = undefined;
      forgetSwarm(this.options.dataRoot);
      this.log.info('left the swarm');
    });
  }

  /** What `shoal info` shows about the swarm. */
  info(): SwarmInfo {
    const identity = this.stored?.identity;
    if (!identity) return codec.SwarmInfo.fromPartial({ localNodeState: 'inactive' });
    const nodes = this.components.currentManager()?.store.list('node') ?? [];
    return codec.SwarmInfo.fromPartial({
      localNodeState: 'active',
      nodeId: identity.nodeId,
      nodeAddr: identity.dataPathAddr,
      controlAvailable: identity.role === 'manager',
      clusterId: identity.clusterId,
      managers: nodes.filter((n) => n.spec?.desiredRole === 'MANAGER').length,
      nodes: nodes.length,
      remoteManagers: identity.managerAddrs,
    });
  }

  /** The cluster as the local socket reaches it (local-control.ts). */
  localCluster(): LocalCluster {
    return { inSwarm: () => this.stored !== undefined, manager: () => this.components.currentManager() };
  }

  /** Stops every component; containers keep running (live-restore). */
  async close(): Promise<void> {
    clearTimeout(this.roleRetry);
    await this.busy.catch(() => undefined);
    await this.components.stopAll({ restarting: true });
  }

  /** This node, now holding a manager's certificate, joins the managers' Raft group (raft-join.ts). */
  private async joinRaft(remote: string): Promise<void> {
    if (!this.stored) throw new Error('no identity');
    await joinRaftGroup(this.stored, remote, { components: this.components, dataRoot: this.options.dataRoot, log: this.log });
  }

  /**
   * Promotion or demotion, as the managers decided: a certificate for the
   * new role first (the CA issues by the desired role), then start or stop
   * this node's manager; the agent's session restarts with the new certificate.
   */
  private async changeRole(wanted: LocalRole): Promise<void> {
    const stored = this.stored;
    if (!stored || stored.identity.role === wanted) return;
    const { identity } = stored;
    // Other managers first: this node's own manager may be a stale one (removed from Raft).
    const candidates = [...identity.managerAddrs.filter((a) => a !== identity.advertiseAddr), ...identity.managerAddrs.filter((a) => a === identity.advertiseAddr)];
    const renewed = await renew(stored.tls, candidates, wanted);
    await this.components.stopAgent({ restarting: true });
    stored.tls = renewed.tls;
    if (wanted === 'manager') {
      identity.role = 'manager';
      saveNode(this.options.dataRoot, stored);
      // The agent's session comes back first: joining Raft takes seconds
      // (catching up as a learner), and a node without a session for longer
      // than its heartbeat grace is marked Down and its tasks are replaced.
      await this.components.startAgent(stored);
      try {
        await this.joinRaft(renewed.issuedBy);
      } catch (error) {
        // Back to a worker's footing so followRole tries the whole change
        // again; the Raft data stays, and the retried join keeps its Raft ID.
        await this.components.stopManager();
        identity.role = 'worker';
        saveNode(this.options.dataRoot, stored);
        throw error;
      }
      this.log.info('promoted: this node is now a manager');
      return;
    }
    await this.components.stopManager();
    identity.role = 'worker';
    identity.raftId = 0;
    rmSync(join(this.options.dataRoot, 'raft'), { recursive: true, force: true });
    saveNode(this.options.dataRoot, stored);
    this.log.info('demoted: this node is now a worker');
    await this.components.startAgent(stored);
  }

  /** Follows the role the managers want for this node; a failed change is tried again after a pause. */
  private followRole(node: Node): void {
    this.latestNode = node;
    const wanted = localRole(node.spec?.desiredRole);
    if (!this.stored || wanted === this.stored.identity.role || this.roleChanging) return;
    this.roleChanging = true;
    clearTimeout(this.roleRetry);
    void this.exclusive(() => this.changeRole(wanted))
      .catch((error: unknown) => {
        this.log.warn({ err: error, wanted }, `changing role failed; trying again in ${ROLE_RETRY_MS / 1000} s`);
        this.roleRetry = setTimeout(() => this.latestNode && this.followRole(this.latestNode), ROLE_RETRY_MS);
      })
      .finally(() => (this.roleChanging = false));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }
}
