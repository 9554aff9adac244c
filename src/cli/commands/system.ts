import { Command } from 'commander';
import { arch, platform } from 'node:os';
import { API_VERSION, SHOAL_VERSION } from '../../common/version.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../output.js';

/** Docker prints amd64/arm64 where Node says x64/arm64. */
export function dockerArch(nodeArch: string = arch()): string {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'ia32' ? '386' : nodeArch;
}

function pairs(rows: [string, string][], indent = ' '): string[] {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${indent}${(k + ':').padEnd(width)}${v}`);
}

/** `shoal version`: client and server versions, as `docker version` shows them. */
export function versionCommand(ctx: CliContext): Command {
  return new Command('version')
    .description('Show the shoal version information')
    .option('-f, --format <string>', 'Format output: "json"')
    .action(async (opts: { format?: string }) => {
      const client = { Version: SHOAL_VERSION, ApiVersion: API_VERSION, NodeVersion: process.version, Os: platform(), Arch: dockerArch() };
      let server: Awaited<ReturnType<ReturnType<CliContext['daemon']>['version']>> | undefined;
      let serverError: string | undefined;
      const { RpcError } = await import('../../rpc/index.js'); // already loaded by runCli: no start-up cost
      try {
        server = await ctx.daemon().version({}, { deadlineMs: 5000 });
      } catch (error) {
        serverError = RpcError.from(error).kind === 'unavailable' ? `Cannot connect to the shoal daemon at ${ctx.host()}. Is the shoal daemon running?` : RpcError.from(error).message;
      }
      if (opts.format === 'json') {
        ctx.output.out(JSON.stringify({ Client: client, Server: server ? { Version: server.version, ApiVersion: server.apiVersion, NodeVersion: server.nodeVersion, Os: server.os, Arch: server.arch, GitCommit: server.gitCommit } : null }));
      } else {
        ctx.output.out('Client:');
        pairs([['Version', client.Version], ['API version', client.ApiVersion], ['Node.js version', client.NodeVersion], ['OS/Arch', `${client.Os}/${client.Arch}`]]).forEach((l) => ctx.output.out(l));
        if (server) {
          ctx.output.out('');
          ctx.output.out('Server:');
          pairs([['Version', server.version], ['API version', server.apiVersion], ['Node.js version', server.nodeVersion], ['OS/Arch', `${server.os}/${server.arch}`]]).forEach((l) => ctx.output.out(l));
        }
      }
      if (serverError) {
        ctx.output.err(serverError);
        process.exitCode = 1;
      }
    });
}

/** `shoal info`: what the local daemon knows about itself, its engine and its swarm. */
export function infoCommand(ctx: CliContext): Command {
  return new Command('info')
    .description('Display system-wide information')
    .option('-f, --format <string>', 'Format output: "json"')
    .action(async (opts: { format?: string }) => {
      const info = await ctx.daemon().info({}, { deadlineMs: 10_000 });
      if (opts.format === 'json') {
        ctx.output.out(JSON.stringify(info));
        return;
      }
      const swarm = info.swarm;
      const rows: [string, string][] = [
        ['Name', info.name],
        ['Server Version', info.serverVersion],
        ['Data Root', info.dataRoot],
        ['Docker Host', info.dockerHost],
        ['Docker Version', info.dockerError ? `unreachable (${info.dockerError})` : info.dockerVersion],
        ['Swarm', swarm?.localNodeState ?? 'inactive'],
      ];
      if (swarm && swarm.localNodeState === 'active') {
        rows.push(['NodeID', swarm.nodeId], ['Is Manager', String(swarm.controlAvailable)], ['ClusterID', swarm.clusterId], ['Managers', String(swarm.managers)], ['Nodes', String(swarm.nodes)], ['Node Address', swarm.nodeAddr]);
      }
      if (swarm?.error) rows.push(['Swarm Error', swarm.error]);
      rows.push(['OS/Arch', `${info.os}/${info.arch}`], ['CPUs', String(info.ncpu)], ['Total Memory', formatBytes(info.memTotalBytes)]);
      ctx.output.out('Server:');
      pairs(rows).forEach((l) => ctx.output.out(l));
    });
}
