import { Option, type Command } from 'commander';

/** Accumulates a repeatable flag (`--env A=1 --env B=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds a repeatable option with an empty-list default. */
export function repeatable(cmd: Command, flags: string, description: string): Command {
  return cmd.addOption(new Option(flags, description).argParser(collect));
}

/** Flags shared by `service create` and `service update` (Docker 28's names and meanings). */
export function addServiceSpecFlags(cmd: Command, mode: 'create' | 'update'): Command {
  const many = (flags: string, description: string): Command => repeatable(cmd, flags, description);
  const listFlag = (name: string, what: string): void => {
    if (mode === 'create') many(`--${name} <value>`, what);
    else {
      many(`--${name}-add <value>`, `Add or update ${what.toLowerCase()}`);
      many(`--${name}-rm <value>`, `Remove ${what.toLowerCase()}`);
    }
  };
  if (mode === 'create') cmd.option('--name <string>', 'Service name');
  cmd.option('--replicas <uint>', 'Number of tasks');
  if (mode === 'create') cmd.option('--mode <string>', 'Service mode ("replicated", "global", "replicated-job", "global-job")', 'replicated');
  cmd.option('--max-concurrent <uint>', 'Number of job tasks to run concurrently (default equal to --replicas)');
  if (mode === 'create') {
    many('-e, --env <value>', 'Set environment variables');
    many('--env-file <file>', 'Read in a file of environment variables');
    many('-l, --label <value>', 'Service labels');
    many('--container-label <value>', 'Container labels');
    many('-p, --publish <port>', 'Publish a port as a node port ([published=]P:T[/proto][,mode=ingress|host])');
    many('--network <network>', 'Network attachments');
    many('--constraint <expr>', 'Placement constraints');
    many('--placement-pref <pref>', 'Add a placement preference (spread=node.labels.KEY)');
    many('--secret <secret>', 'Specify secrets to expose to the service');
    many('--config <config>', 'Specify configurations to expose to the service');
    many('--mount <mount>', 'Attach a filesystem mount to the service');
    many('--dns <ip>', 'Set custom DNS servers');
    many('--host <host:ip>', 'Set one or more custom host-to-IP mappings (host:ip)');
    many('--cap-add <cap>', 'Add Linux capabilities');
    many('--cap-drop <cap>', 'Drop Linux capabilities');
    many('--sysctl <value>', 'Sysctl options');
    many('--ulimit <value>', 'Ulimit options');
    many('--generic-resource <value>', 'User defined resources');
    many('--log-opt <value>', 'Logging driver options');
  } else {
    listFlag('env', 'Environment variables');
    listFlag('label', 'Service labels');
    listFlag('container-label', 'Container labels');
    listFlag('publish', 'Published ports');
    listFlag('network', 'Network attachments');
    listFlag('constraint', 'Placement constraints');
    listFlag('placement-pref', 'Placement preferences');
    listFlag('secret', 'Secrets');
    listFlag('config', 'Configurations');
    listFlag('mount', 'Mounts');
    listFlag('dns', 'Custom DNS servers');
    listFlag('host', 'Custom host-to-IP mappings');
    listFlag('generic-resource', 'User defined resources');
    many('--cap-add <cap>', 'Add Linux capabilities');
    many('--cap-drop <cap>', 'Drop Linux capabilities');
    many('--sysctl-add <value>', 'Add or update a Sysctl option');
    many('--sysctl-rm <value>', 'Remove a Sysctl option');
    many('--ulimit-add <value>', 'Add or update a ulimit option');
    many('--ulimit-rm <value>', 'Remove a ulimit option');
    many('--log-opt <value>', 'Logging driver options');
    cmd.option('--image <image>', 'Service image tag');
    cmd.option('--args <command>', 'Service command args');
    cmd.option('--force', 'Force update even if no changes require it');
    cmd.option('--rollback', 'Rollback to previous specification');
    cmd.option('--rebalance', 'Even out the spread of tasks across eligible nodes as a rolling update (shoal addition)');
  }
  cmd
    .option('--replicas-max-per-node <uint>', 'Maximum number of tasks per node (default 0 = unlimited)')
    .option('--reserve-cpu <decimal>', 'Reserve CPUs')
    .option('--reserve-memory <bytes>', 'Reserve Memory')
    .option('--limit-cpu <decimal>', 'Limit CPUs')
    .option('--limit-memory <bytes>', 'Limit Memory')
    .option('--restart-condition <string>', 'Restart when condition is met ("none", "on-failure", "any")')
    .option('--restart-delay <duration>', 'Delay between restart attempts (ns|us|ms|s|m|h)')
    .option('--restart-max-attempts <uint>', 'Maximum number of restarts before giving up')
    .option('--restart-window <duration>', 'Window used to evaluate the restart policy (ns|us|ms|s|m|h)');
  for (const kind of ['update', 'rollback'] as const) {
    cmd
      .option(`--${kind}-parallelism <uint>`, `Maximum number of tasks ${kind === 'update' ? 'updated' : 'rolled back'} simultaneously (0 to ${kind} all at once)`)
      .option(`--${kind}-delay <duration>`, `Delay between ${kind}s (ns|us|ms|s|m|h)`)
      .option(`--${kind}-failure-action <string>`, `Action on ${kind} failure (${kind === 'update' ? '"pause", "continue", "rollback"' : '"pause", "continue"'})`)
      .option(`--${kind}-monitor <duration>`, `Duration after each task ${kind} to monitor for failure (ns|us|ms|s|m|h)`)
      .option(`--${kind}-max-failure-ratio <float>`, `Failure rate to tolerate during a ${kind}`)
      .option(`--${kind}-order <string>`, `${kind === 'update' ? 'Update' : 'Rollback'} order ("start-first", "stop-first")`);
  }
  cmd
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option('--health-start-period <duration>', 'Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK')
    .option('--endpoint-mode <string>', 'Endpoint mode (vip or dnsrr)')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--hostname <string>', 'Container hostname')
    .option('--entrypoint <command>', 'Overwrite the default ENTRYPOINT of the image')
    .option('--stop-grace-period <duration>', 'Time to wait before force killing a container (ns|us|ms|s|m|h)')
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--init', 'Use an init inside each service container to forward signals and reap processes')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--log-driver <string>', 'Logging driver for service')
    .option('--placement-strategy <string>', 'Placement strategy ("spread", "binpack", "random"; shoal addition)')
    .option('--with-registry-auth', 'Send registry authentication details to swarm agents (accepted for compatibility; no registry is used)')
    .option('--no-resolve-image', 'Do not query the registry to resolve image digest and supported platforms')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'Suppress progress output');
  return cmd;
}
