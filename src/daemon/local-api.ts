import { arch, cpus, platform, totalmem } from 'node:os';
import type { DaemonService, InfoResponse } from '../gen/index.js';
import { API_VERSION, SHOAL_VERSION } from '../common/version.js';
import { RpcError, type Handlers } from '../rpc/index.js';
import { describeEngine, type Engine } from '../worker/index.js';
import type { DaemonOptions } from './options.js';

const dockerArch = (a: string): string => (a === 'x64' ? 'amd64' : a);

/** What this node can say about its swarm membership; the cluster work fills it in. */
export interface SwarmState {
  localNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
}

/** The Daemon service: questions the CLI asks of its local node. */
export function daemonHandlers(options: DaemonOptions, engine: Engine, swarm: () => SwarmState): Handlers<typeof DaemonService> {
  const notBuilt = (what: string) => async (): Promise<never> => {
    throw new RpcError('unimplemented', `"shoal swarm ${what}" is not built yet (it lands with the cluster work, issue #5); nothing was changed`);
  };
  return {
    version: async () => ({ version: SHOAL_VERSION, apiVersion: API_VERSION, nodeVersion: process.version, os: platform(), arch: dockerArch(arch()), gitCommit: '' }),
    info: async (): Promise<InfoResponse> => {
      const engineSummary = await describeEngine(engine);
      return {
        name: options.nodeName,
        serverVersion: SHOAL_VERSION,
        dataRoot: options.dataRoot,
        dockerHost: options.dockerHost,
        dockerVersion: engineSummary.ok ? engineSummary.version : '',
        dockerError: engineSummary.ok ? '' : engineSummary.error,
        os: platform(),
        arch: dockerArch(arch()),
        ncpu: engineSummary.ok ? engineSummary.ncpu : cpus().length,
        memTotalBytes: engineSummary.ok ? engineSummary.memTotalBytes : totalmem(),
        swarm: { localNodeState: swarm().localNodeState, nodeId: '', nodeAddr: '', controlAvailable: false, clusterId: '', managers: 0, nodes: 0, remoteManagers: [], error: '' },
      };
    },
    swarmInit: notBuilt('init'),
    swarmJoin: notBuilt('join'),
    swarmLeave: notBuilt('leave'),
    swarmUnlock: notBuilt('unlock'),
  };
}
