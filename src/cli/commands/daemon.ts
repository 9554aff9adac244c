import { Command, Option } from 'commander';
import { DEFAULT_DATA_ROOT, DEFAULT_HOST, defaultDockerHost } from '../../common/defaults.js';
import { LOG_LEVELS, type LogLevel } from '../../common/log-levels.js';
import type { CliContext } from '../context.js';
import { hostname } from 'node:os';

/** `shoal daemon`: run this host's node daemon in the foreground. */
export function daemonCommand(_ctx: CliContext, globalLogLevel: () => LogLevel | undefined): Command {
  return new Command('daemon')
    .description('Run the shoal node daemon in the foreground')
    .option('--data-root <dir>', 'Root directory of persistent shoal state', DEFAULT_DATA_ROOT)
    .option('-H, --host <unix://path>', 'Daemon socket to listen on', DEFAULT_HOST)
    .option('--docker-host <unix://path>', 'Docker Engine to run tasks on (default $DOCKER_HOST, else unix:///var/run/docker.sock)')
    .option('--node-name <name>', 'Name of this node (default: the hostname)')
    .addOption(new Option('--log-level <level>', 'Set the logging level').choices(LOG_LEVELS))
    .option('--metrics-addr <host:port>', 'Serve Prometheus metrics at http://HOST:PORT/metrics (off by default)')
    .action(async (opts: { dataRoot: string; host: string; dockerHost?: string; nodeName?: string; logLevel?: LogLevel; metricsAddr?: string }) => {
      // The daemon (Raft, dockerode, level, pino) is loaded only here: the CLI's other commands start without it.
      const { runDaemon } = await import('../../daemon/index.js');
      await runDaemon({
        dataRoot: opts.dataRoot,
        host: opts.host,
        dockerHost: opts.dockerHost ?? defaultDockerHost(),
        nodeName: opts.nodeName ?? hostname(),
        logLevel: opts.logLevel ?? globalLogLevel() ?? 'info',
        metricsAddr: opts.metricsAddr,
      });
    });
}
