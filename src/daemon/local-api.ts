import { arch, cpus, platform, totalmem } from 'node:os';
import type { DaemonService, InfoResponse } from '../gen/index.js';
import { API_VERSION, SHOAL_VERSION } from '../common/version.js';
import { RpcError, type Handlers } from '../rpc/index.js';
import { describeEngine, type Engine } from '../worker/index.js';
import type { DaemonOptions } from './options.js';

const dockerArch = (a: string): string => (a === 'x64' ? 'amd64' : a);

import type { SwarmNode } from './swarm-node.js';

/** The Daemon service: questions the CLI asks of its local node. */
export function daemonHandlers(options: DaemonOptions, engine: Engine, swarm: SwarmNode): Handlers<typeof DaemonService> {
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
        swarm: swarm.info(),
      };
    },
    swarmInit: (req) => swarm.init(req),
    swarmJoin: (req) => swarm.join(req),
    swarmLeave: async (req) => {
      await swarm.leave(req.force);
      return {};
    },
    swarmUnlock: async () => {
      throw new RpcError('unimplemented', '"shoal swarm unlock" is not built yet (autolock lands with the stacks and secrets work, issue #7); nothing was changed');
    },
  };
}
