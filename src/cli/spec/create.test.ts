import { describe, expect, it } from 'vitest';
import { buildServiceSpec, type CreateInput } from './create.js';
import type { ServiceFlags } from './service-flags.js';
import { usageError } from './usage-error.test-support.js';

const files: Record<string, string> = { 'app.env': 'A=from-file\nB=2\n' };

function create(flags: ServiceFlags, image = 'nginx:1.27', args: string[] = []): ReturnType<typeof buildServiceSpec> {
  const input: CreateInput = {
    flags: { mode: 'replicated', healthcheck: true, ...flags },
    image,
    args,
    environ: { USER: 'alice' },
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return content;
    },
    random: () => 0,
  };
  return buildServiceSpec(input);
}

const usage = usageError;

describe('service create spec', () => {
  it('writes out Docker\'s defaults', () => {
    const spec = create({ name: 'web' });
    expect(spec).toEqual({
      annotations: { name: 'web', labels: {} },
      task: {
        container: {
          image: 'nginx:1.27', labels: {}, command: [], args: [], hostname: '', env: [], dir: '', user: '', mounts: [], stopGracePeriodMs: 10_000, stopSignal: '',
          hosts: [], dnsNameservers: [], secrets: [], configs: [], init: false, capAdd: [], capDrop: [], sysctls: {}, ulimits: [], tty: false, readOnly: false, hasEntrypoint: false,
        },
        resources: { limits: { nanoCpus: 0, memoryBytes: 0, generic: [] }, reservations: { nanoCpus: 0, memoryBytes: 0, generic: [] } },
        restart: { condition: 'ANY', delayMs: 5000, maxAttempts: 0, windowMs: 0 },
        placement: { constraints: [], preferences: [], platforms: [], maxReplicas: 0, strategy: 'SPREAD' },
        networks: [],
        forceUpdate: 0,
      },
      mode: { kind: 'REPLICATED', replicas: 1, totalCompletions: 0, maxConcurrent: 0 },
      update: { parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' },
      rollback: { parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' },
      endpoint: { mode: 'VIP', ports: [] },
      dependsOn: [],
    });
  });

  it('takes image and command from the positionals, and a generated name', () => {
    const spec = create({}, 'busybox', ['sh', '-c', 'sleep 1d']);
    expect(spec.annotations?.name).toBe('amber_agnesi');
    expect(spec.task?.container?.image).toBe('busybox');
    expect(spec.task?.container?.args).toEqual(['sh', '-c', 'sleep 1d']);
    expect(usage(() => create({}, ''))).toBe('"shoal service create" requires an image; usage: shoal service create [OPTIONS] IMAGE [COMMAND] [ARG...]');
  });

  it('validates the name', () => {
    expect(usage(() => create({ name: 'my service' }))).toBe('invalid argument "my service" for "--name" flag: name must be valid as a DNS name component (letters, digits, "-" and "_", at most 63 characters)');
    expect(create({ name: 'my-web_1' }).annotations?.name).toBe('my-web_1');
  });

  it('maps every list flag', () => {
    const spec = create({
      name: 'api',
      env: ['B=3', 'USER', 'C=1'],
      envFile: ['app.env'],
      label: ['tier=front'],
      containerLabel: ['c=1'],
      publish: ['8080:80', 'published=53,target=53,protocol=udp,mode=host'],
      network: ['backend'],
      constraint: ['node.role==worker'],
      placementPref: ['spread=node.labels.zone'],
      secret: ['db_pass'],
      config: ['source=app,target=/etc/app.conf,mode=0440'],
      mount: ['type=tmpfs,target=/cache'],
      dns: ['1.1.1.1'],
      host: ['db:10.0.0.5'],
      sysctl: ['net.core.somaxconn=1024'],
      ulimit: ['nofile=1024:2048'],
      genericResource: ['gpu=2'],
      capAdd: ['net_admin', 'SYS_TIME'],
      capDrop: ['CAP_NET_ADMIN', 'mknod'],
    });
    const c = spec.task?.container;
    expect(c?.env).toEqual(['A=from-file', 'B=3', 'USER=alice', 'C=1']);
    expect(spec.annotations?.labels).toEqual({ tier: 'front' });
    expect(c?.labels).toEqual({ c: '1' });
    expect(spec.endpoint?.ports.map((p) => [p.publishedPort, p.targetPort, p.protocol, p.publishMode])).toEqual([[8080, 80, 'TCP', 'INGRESS'], [53, 53, 'UDP', 'HOST']]);
    expect(spec.task?.networks).toEqual([{ target: 'backend', aliases: [] }]);
    expect(spec.task?.placement?.constraints).toEqual(['node.role==worker']);
    expect(spec.task?.placement?.preferences).toEqual([{ spreadDescriptor: 'node.labels.zone' }]);
    expect(c?.secrets).toEqual([{ secretId: '', secretName: 'db_pass', file: { name: 'db_pass', uid: '0', gid: '0', mode: 0o444 } }]);
    expect(c?.configs).toEqual([{ configId: '', configName: 'app', file: { name: '/etc/app.conf', uid: '0', gid: '0', mode: 0o440 } }]);
    expect(c?.mounts).toEqual([{ type: 'TMPFS', source: '', target: '/cache', readOnly: false, tmpfsSizeBytes: 0, tmpfsMode: 0 }]);
    expect(c?.dnsNameservers).toEqual(['1.1.1.1']);
    expect(c?.hosts).toEqual(['10.0.0.5 db']);
    expect(c?.sysctls).toEqual({ 'net.core.somaxconn': '1024' });
    expect(c?.ulimits).toEqual([{ name: 'nofile', soft: 1024, hard: 2048 }]);
    expect(spec.task?.resources?.reservations?.generic).toEqual([{ kind: 'gpu', value: 2 }]);
    expect(c?.capAdd).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_TIME']);
    expect(c?.capDrop).toEqual(['CAP_MKNOD']);
  });

  it('maps every scalar flag', () => {
    const spec = create({
      replicas: '3',
      replicasMaxPerNode: '1',
      reserveCpu: '0.25', reserveMemory: '128m', limitCpu: '1.5', limitMemory: '1g',
      restartCondition: 'on-failure', restartDelay: '10s', restartMaxAttempts: '3', restartWindow: '1m',
      updateParallelism: '2', updateDelay: '10s', updateFailureAction: 'rollback', updateMonitor: '30s', updateMaxFailureRatio: '0.5', updateOrder: 'start-first',
      rollbackParallelism: '0', rollbackFailureAction: 'continue',
      endpointMode: 'dnsrr', workdir: '/app', user: 'nobody:nogroup', hostname: 'h', entrypoint: '/bin/sh -c', stopGracePeriod: '30s', stopSignal: 'SIGINT',
      init: true, tty: true, readOnly: true, logDriver: 'json-file', logOpt: ['max-size=10m'], placementStrategy: 'binpack',
    });
    expect(spec.mode).toEqual({ kind: 'REPLICATED', replicas: 3, totalCompletions: 0, maxConcurrent: 0 });
    expect(spec.task?.placement?.maxReplicas).toBe(1);
    expect(spec.task?.placement?.strategy).toBe('BINPACK');
    expect(spec.task?.resources).toEqual({ limits: { nanoCpus: 1_500_000_000, memoryBytes: 1024 ** 3, generic: [] }, reservations: { nanoCpus: 250_000_000, memoryBytes: 128 * 1024 ** 2, generic: [] } });
    expect(spec.task?.restart).toEqual({ condition: 'ON_FAILURE', delayMs: 10_000, maxAttempts: 3, windowMs: 60_000 });
    expect(spec.update).toEqual({ parallelism: 2, delayMs: 10_000, failureAction: 'ROLLBACK', monitorMs: 30_000, maxFailureRatio: 0.5, order: 'START_FIRST' });
    expect(spec.rollback).toEqual({ parallelism: 0, delayMs: 0, failureAction: 'CONTINUE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' });
    expect(spec.endpoint?.mode).toBe('DNSRR');
    const c = spec.task?.container;
    expect([c?.dir, c?.user, c?.hostname, c?.stopGracePeriodMs, c?.stopSignal, c?.init, c?.tty, c?.readOnly]).toEqual(['/app', 'nobody:nogroup', 'h', 30_000, 'SIGINT', true, true, true]);
    expect(c?.command).toEqual(['/bin/sh', '-c']);
    expect(c?.hasEntrypoint).toBe(true);
    expect(spec.task?.logDriver).toEqual({ name: 'json-file', options: { 'max-size': '10m' } });
  });

  it('builds health checks', () => {
    expect(create({ healthCmd: 'curl -f localhost', healthInterval: '5s', healthTimeout: '2s', healthRetries: '3', healthStartPeriod: '10s' }).task?.container?.healthcheck)
      .toEqual({ test: ['CMD-SHELL', 'curl -f localhost'], intervalMs: 5000, timeoutMs: 2000, startPeriodMs: 10_000, retries: 3 });
    expect(create({ healthInterval: '5s' }).task?.container?.healthcheck).toEqual({ test: [], intervalMs: 5000, timeoutMs: 0, startPeriodMs: 0, retries: 0 });
    expect(create({ healthcheck: false }).task?.container?.healthcheck).toEqual({ test: ['NONE'], intervalMs: 0, timeoutMs: 0, startPeriodMs: 0, retries: 0 });
    expect(create({}).task?.container?.healthcheck).toBeUndefined();
    expect(usage(() => create({ healthcheck: false, healthCmd: 'true' }))).toBe('--no-healthcheck conflicts with --health-* options; use one or the other');
    expect(usage(() => create({ healthRetries: '-1' }))).toBe('invalid argument "-1" for "--health-retries" flag: must be a whole number >= 0');
    expect(usage(() => create({ healthInterval: '-1s' }))).toBe('invalid argument "-1s" for "--health-interval" flag: duration cannot be negative');
  });

  it('builds every mode', () => {
    expect(create({ mode: 'global' }).mode).toEqual({ kind: 'GLOBAL', replicas: 0, totalCompletions: 0, maxConcurrent: 0 });
    const job = create({ mode: 'replicated-job', replicas: '5' });
    expect(job.mode).toEqual({ kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: 5, maxConcurrent: 5 });
    expect(job.update).toBeUndefined();
    expect(job.rollback).toBeUndefined();
    expect(create({ mode: 'replicated-job', replicas: '5', maxConcurrent: '2' }).mode).toEqual({ kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: 5, maxConcurrent: 2 });
    expect(create({ mode: 'replicated-job' }).mode).toEqual({ kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: 1, maxConcurrent: 1 });
    expect(create({ mode: 'global-job' }).mode?.kind).toBe('GLOBAL_JOB');
    expect(create({ replicas: '0' }).mode?.replicas).toBe(0);
  });

  it.each<[ServiceFlags, string]>([
    [{ mode: 'global', replicas: '2' }, 'replicas can only be used with replicated or replicated-job mode'],
    [{ mode: 'global-job', replicas: '2' }, 'replicas can only be used with replicated or replicated-job mode'],
    [{ mode: 'global', replicasMaxPerNode: '1' }, 'replicas-max-per-node can only be used with replicated or replicated-job mode'],
    [{ maxConcurrent: '2' }, 'max-concurrent can only be used with replicated-job mode'],
    [{ mode: 'daemonset' }, 'invalid argument "daemonset" for "--mode" flag: unknown mode; use "replicated", "global", "replicated-job" or "global-job"'],
    [{ replicas: '-1' }, 'invalid argument "-1" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)'],
    [{ replicas: 'three' }, 'invalid argument "three" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)'],
    [{ replicas: '2.5' }, 'invalid argument "2.5" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)'],
    [{ mode: 'replicated-job', updateDelay: '1s' }, 'update and rollback configuration is not supported for jobs; remove the --update-* and --rollback-* flags'],
    [{ restartCondition: 'always' }, 'invalid argument "always" for "--restart-condition" flag: must be one of "none", "on-failure", "any"'],
    [{ updateFailureAction: 'stop' }, 'invalid argument "stop" for "--update-failure-action" flag: must be one of "pause", "continue", "rollback"'],
    [{ rollbackFailureAction: 'rollback' }, 'invalid argument "rollback" for "--rollback-failure-action" flag: must be one of "pause", "continue"'],
    [{ updateOrder: 'random' }, 'invalid argument "random" for "--update-order" flag: must be one of "start-first", "stop-first"'],
    [{ endpointMode: 'lb' }, 'invalid argument "lb" for "--endpoint-mode" flag: must be one of "vip", "dnsrr"'],
    [{ placementStrategy: 'fill' }, 'invalid argument "fill" for "--placement-strategy" flag: must be one of "spread", "binpack", "random"'],
    [{ endpointMode: 'dnsrr', publish: ['80:80'] }, "port published with ingress mode can't be used with dnsrr mode; publish with mode=host or use --endpoint-mode vip"],
    [{ publish: ['80:80', '80:81'] }, 'published port 80/tcp is given twice; each published port can be used once'],
    [{ logOpt: ['max-size=1m'] }, '--log-opt needs --log-driver; name the logging driver the options are for'],
    [{ envFile: ['missing.env'] }, "cannot read --env-file missing.env: ENOENT: no such file or directory, open 'missing.env'"],
    [{ restartMaxAttempts: '-3' }, 'invalid argument "-3" for "--restart-max-attempts" flag: must be a whole number >= 0 (e.g. 3)'],
    [{ stopGracePeriod: '10' }, 'invalid argument "10" for "--stop-grace-period" flag: not a duration; use a number with a unit, e.g. "500ms", "10s", "1m30s", "2h"'],
    [{ constraint: [''] }, 'invalid argument "" for "--constraint" flag: empty constraint; use e.g. node.role==manager or node.labels.zone!=east'],
  ])('refuses %j', (flags, message) => {
    expect(usage(() => create(flags))).toBe(message);
  });
});
