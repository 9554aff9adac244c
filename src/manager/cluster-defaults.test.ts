import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { newClusterSpec, raftTimingOf } from './cluster-defaults.js';

describe('new-cluster defaults', () => {
  it('builds the spec swarm init has always written', () => {
    expect(newClusterSpec({ defaultAddrPool: [], subnetSize: 0, dataPathPort: 0 })).toEqual(
      codec.ClusterSpec.fromPartial({
        annotations: { name: 'default' },
        taskHistoryRetentionLimit: 5,
        heartbeatPeriodMs: 5000,
        raft: { snapshotInterval: 10_000, keepOldSnapshots: 0, logEntriesForSlowFollowers: 500, heartbeatTick: 1, electionTick: 10 },
        defaultAddrPool: ['10.0.0.0/8'],
        subnetSize: 24,
        dataPathPort: 4789,
      }),
    );
  });

  it('takes what swarm init chose', () => {
    const spec = newClusterSpec({ defaultAddrPool: ['10.20.0.0/16'], subnetSize: 26, dataPathPort: 7789 });
    expect([spec.defaultAddrPool, spec.subnetSize, spec.dataPathPort]).toEqual([['10.20.0.0/16'], 26, 7789]);
  });

  it('reads Raft timing from the spec, with the defaults where it is unset', () => {
    expect(raftTimingOf(undefined)).toEqual({ tickMs: 100, electionTicks: 10, heartbeatTicks: 1, snapshotIntervalEntries: 10_000 });
    const cluster = codec.Cluster.fromPartial({ spec: { raft: { electionTick: 20, heartbeatTick: 2, snapshotInterval: 500 } } });
    expect(raftTimingOf(cluster)).toEqual({ tickMs: 100, electionTicks: 20, heartbeatTicks: 2, snapshotIntervalEntries: 500 });
  });
});
