import { codec, type Cluster, type ClusterSpec, type NodeDescription, type StoreAction } from '../gen/index.js';

/**
 * What a new cluster gets unless `swarm init` says otherwise: the one
 * source of these numbers (the manager reads its Raft timing from the
 * cluster spec built from them, the daemon its data-path port).
 */
export const CLUSTER_DEFAULTS = {
  name: 'default',
  taskHistoryRetentionLimit: 5,
  heartbeatPeriodMs: 5_000, // Docker's --dispatcher-heartbeat default
  /** Length of one Raft tick; not in ClusterSpec (Swarm's is fixed too), so it lives only here. */
  raftTickMs: 100,
  /** Elections after 1-2 s of silence with 100 ms ticks (Swarm's default takes about 10 s). */
  raftElectionTicks: 10,
  raftHeartbeatTicks: 1,
  raftSnapshotIntervalEntries: 10_000,
  raftKeepOldSnapshots: 0,
  raftLogEntriesForSlowFollowers: 500,
  defaultAddrPool: ['10.0.0.0/8'],
  subnetSize: 24,
  /** VXLAN's IANA port. */
  dataPathPort: 4789,
} as const;

/** What `swarm init` may choose for a new cluster; zero or empty means the default. */
export interface NewClusterChoices {
  defaultAddrPool: readonly string[];
  subnetSize: number;
  dataPathPort: number;
}

/** The spec of a new cluster: the defaults, with what `swarm init` chose. Pure. */
export function newClusterSpec(choices: NewClusterChoices): ClusterSpec {
  const d = CLUSTER_DEFAULTS;
  return codec.ClusterSpec.fromPartial({
    annotations: { name: d.name },
    taskHistoryRetentionLimit: d.taskHistoryRetentionLimit,
    heartbeatPeriodMs: d.heartbeatPeriodMs,
    raft: { snapshotInterval: d.raftSnapshotIntervalEntries, keepOldSnapshots: d.raftKeepOldSnapshots, logEntriesForSlowFollowers: d.raftLogEntriesForSlowFollowers, heartbeatTick: d.raftHeartbeatTicks, electionTick: d.raftElectionTicks },
    defaultAddrPool: choices.defaultAddrPool.length ? [...choices.defaultAddrPool] : [...d.defaultAddrPool],
    subnetSize: choices.subnetSize || d.subnetSize,
    dataPathPort: dataPathPortOf(choices.dataPathPort),
  });
}

/** A data-path port as chosen, or the default when none was (0). */
export function dataPathPortOf(chosen: number | undefined): number {
  return chosen || CLUSTER_DEFAULTS.dataPathPort;
}

/** Raft's timing as a manager runs it. */
export interface RaftTiming {
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  snapshotIntervalEntries: number;
}

/** Raft's timing from a cluster's spec, each value the default where the spec leaves it unset. Pure. */
export function raftTimingOf(cluster: Cluster | undefined): RaftTiming {
  const raft = cluster?.spec?.raft;
  return {
    tickMs: CLUSTER_DEFAULTS.raftTickMs,
    electionTicks: raft?.electionTick || CLUSTER_DEFAULTS.raftElectionTicks,
    heartbeatTicks: raft?.heartbeatTick || CLUSTER_DEFAULTS.raftHeartbeatTicks,
    snapshotIntervalEntries: raft?.snapshotInterval || CLUSTER_DEFAULTS.raftSnapshotIntervalEntries,
  };
}

/** What the first manager knows when it creates a cluster. */
export interface NewClusterFacts {
  clusterId: string;
  nodeId: string;
  raftId: number;
  /** The first manager's address for other nodes (host:port), and its host alone. */
  advertiseAddr: string;
  nodeAddr: string;
  description: NodeDescription;
  rootCa: { certPem: string; keyPem: string; digest: string; tokens: { worker: string; manager: string } };
  choices: NewClusterChoices;
}

/** The objects a new cluster's store starts with: the cluster, and its first manager's node. Pure. */
export function newClusterObjects(facts: NewClusterFacts): StoreAction[] {
  const { rootCa } = facts;
  const cluster = codec.Cluster.fromPartial({
    id: facts.clusterId,
    spec: newClusterSpec(facts.choices),
    rootCa: { caCertPem: rootCa.certPem, caKeyPem: Buffer.from(rootCa.keyPem), caCertDigest: rootCa.digest, joinTokens: rootCa.tokens },
  });
  const node = codec.Node.fromPartial({
    id: facts.nodeId,
    role: 'MANAGER',
    spec: { desiredRole: 'MANAGER', availability: 'ACTIVE' },
    description: facts.description,
    status: { state: 'READY', addr: facts.nodeAddr },
    managerStatus: { raftId: facts.raftId, addr: facts.advertiseAddr, leader: true, reachability: 'REACHABLE' },
    dataPathAddr: facts.nodeAddr,
  });
  return [{ kind: 'CREATE', object: { cluster } }, { kind: 'CREATE', object: { node } }];
}
