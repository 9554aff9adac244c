import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { CliError } from '../errors.js';
import { buildServiceSpec } from './create.js';
import { parseScaleArgs, scaledLine, scaleSpec } from './scale.js';
import type { ServiceFlags } from './service-flags.js';
import { applyServiceUpdate, changesSpec } from './update.js';

const base = buildServiceSpec({
  flags: {
    name: 'web',
    replicas: '2',
    env: ['A=1', 'B=2'],
    label: ['tier=front', 'team=x'],
    containerLabel: ['c=1'],
    publish: ['8080:80', '9090:90/udp'],
    network: ['front'],
    constraint: ['node.role==worker', 'node.labels.zone==a'],
    placementPref: ['spread=node.labels.zone'],
    secret: ['db_pass'],
    config: ['app'],
    mount: ['type=volume,source=data,target=/data'],
    host: ['db:10.0.0.5'],
    dns: ['1.1.1.1'],
    sysctl: ['a=1'],
    ulimit: ['nofile=10'],
    genericResource: ['gpu=1'],
    healthCmd: 'true',
  },
  image: 'nginx:1.27',
  args: [],
  environ: {},
  readFile: () => '',
  random: () => 0,
});

function update(flags: ServiceFlags, spec = base): ReturnType<typeof applyServiceUpdate> {
  return applyServiceUpdate(spec, { flags: { healthcheck: true, ...flags }, environ: { HOME: '/home/a' } });
}

function usage(fn: () => unknown, exitCode = 125): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(exitCode);
    return (error as CliError).message;
  }
  throw new Error('expected an error');
}

describe('service update', () => {
  it('changes nothing without flags, and never touches its input', () => {
    const before = structuredClone(base);
    expect(update({})).toEqual(base);
    update({ envAdd: ['Z=1'], image: 'nginx:2' });
    expect(base).toEqual(before);
  });

  it('leaves a minimal spec exactly as it was when no flag changes it', () => {
    const minimal = codec.ServiceSpec.fromPartial({ annotations: { name: 'x' }, task: { container: { image: 'i', ulimits: [{ name: 'nproc', soft: 1, hard: 1 }, { name: 'core', soft: 0, hard: 0 }] } }, mode: { kind: 'REPLICATED', replicas: 1 } });
    expect(update({ detach: true, quiet: true }, minimal)).toEqual(minimal);
  });

  it('sets image, args and replicas', () => {
    const spec = update({ image: 'nginx:1.28', args: 'nginx -g "daemon off;"', replicas: '5' });
    expect(spec.task?.container?.image).toBe('nginx:1.28');
    expect(spec.task?.container?.args).toEqual(['nginx', '-g', 'daemon off;']);
    expect(spec.mode?.replicas).toBe(5);
  });

  it('adds and removes env, labels, container labels and sysctls by key', () => {
    const spec = update({ envAdd: ['B=3', 'C=4', 'HOME'], envRm: ['A'], labelAdd: ['tier=back'], labelRm: ['team'], containerLabelAdd: ['d=2'], containerLabelRm: ['c'], sysctlAdd: ['b=2'], sysctlRm: ['a'] });
    expect(spec.task?.container?.env).toEqual(['B=3', 'C=4', 'HOME=/home/a']);
    expect(spec.annotations?.labels).toEqual({ tier: 'back' });
    expect(spec.task?.container?.labels).toEqual({ d: '2' });
    expect(spec.task?.container?.sysctls).toEqual({ b: '2' });
  });

  it('adds and removes published ports by target and protocol', () => {
    const spec = update({ publishRm: ['80'], publishAdd: ['7070:70', '9090:90/udp'] });
    expect(spec.endpoint?.ports.map((p) => `${p.publishedPort}:${p.targetPort}/${p.protocol}`)).toEqual(['7070:70/TCP', '9090:90/UDP']);
    expect(update({ publishRm: ['90'] }).endpoint?.ports).toHaveLength(2); // 90/tcp is not 90/udp
    expect(update({ publishRm: ['90/udp'] }).endpoint?.ports).toHaveLength(1);
    expect(update({ publishRm: ['published=9090,target=90,protocol=udp'] }).endpoint?.ports).toHaveLength(1);
  });

  it('adds and removes constraints, preferences, networks, secrets, configs, mounts', () => {
    const spec = update({
      constraintAdd: ['node.labels.ssd==true'], constraintRm: ['node.role==worker'],
      placementPrefAdd: ['spread=node.labels.rack'], placementPrefRm: ['spread=node.labels.zone'],
      networkAdd: ['name=back,alias=api'], networkRm: ['front'],
      secretAdd: ['source=tls,target=/run/tls.pem'], secretRm: ['db_pass'],
      configAdd: ['nginx_conf'], configRm: ['app'],
      mountAdd: ['type=tmpfs,target=/cache', 'type=bind,source=/srv,target=/data'], mountRm: ['/cache'],
    });
    expect(spec.task?.placement?.constraints).toEqual(['node.labels.ssd==true', 'node.labels.zone==a']);
    expect(spec.task?.placement?.preferences).toEqual([{ spreadDescriptor: 'node.labels.rack' }]);
    expect(spec.task?.networks).toEqual([{ target: 'back', aliases: ['api'] }]);
    expect(spec.task?.container?.secrets.map((s) => [s.secretName, s.file?.name])).toEqual([['tls', '/run/tls.pem']]);
    expect(spec.task?.container?.configs.map((s) => s.configName)).toEqual(['nginx_conf']);
    expect(spec.task?.container?.mounts.map((m) => [m.type, m.source, m.target])).toEqual([['BIND', '/srv', '/data']]);
  });

  it('updates hosts, dns, ulimits, generic resources and capabilities', () => {
    const spec = update({ hostAdd: ['cache:10.0.0.6'], hostRm: ['db'], dnsAdd: ['8.8.8.8'], dnsRm: ['1.1.1.1'], ulimitAdd: ['core=0', 'nofile=20:30'], ulimitRm: ['nproc'], genericResourceAdd: ['fpga=1'], genericResourceRm: ['gpu'], capAdd: ['NET_ADMIN'] });
    expect(spec.task?.container?.hosts).toEqual(['10.0.0.6 cache']);
    expect(spec.task?.container?.dnsNameservers).toEqual(['8.8.8.8']);
    expect(spec.task?.container?.ulimits).toEqual([{ name: 'core', soft: 0, hard: 0 }, { name: 'nofile', soft: 20, hard: 30 }]);
    expect(spec.task?.resources?.reservations?.generic).toEqual([{ kind: 'fpga', value: 1 }]);
    expect(spec.task?.container?.capAdd).toEqual(['CAP_NET_ADMIN']);
    const dropped = update({ capDrop: ['net_admin'] }, spec);
    expect([dropped.task?.container?.capAdd, dropped.task?.container?.capDrop]).toEqual([[], ['CAP_NET_ADMIN']]);
    expect(update({ hostRm: ['db:10.9.9.9'] }).task?.container?.hosts).toEqual(['10.0.0.5 db']);
  });

  it('keeps unchanged parts of the update config and health check', () => {
    const spec = update({ updateParallelism: '3', healthInterval: '7s' });
    expect(spec.update).toEqual({ parallelism: 3, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' });
    expect(spec.task?.container?.healthcheck).toEqual({ test: ['CMD-SHELL', 'true'], intervalMs: 7000, timeoutMs: 0, startPeriodMs: 0, retries: 0 });
    expect(update({ healthcheck: false }).task?.container?.healthcheck?.test).toEqual(['NONE']);
  });

  it('bumps ForceUpdate with --force', () => {
    expect(update({ force: true }).task?.forceUpdate).toBe(1);
  });

  it.each<[ServiceFlags, string]>([
    [{ rollback: true, image: 'x' }, 'other flags may not be combined with --rollback'],
    [{ image: '' }, 'invalid argument "" for "--image" flag: the image cannot be empty'],
    [{ mountAdd: ['target=/a', 'type=tmpfs,target=/a'] }, 'duplicate mount target /a in --mount-add; give each target once'],
    [{ networkAdd: ['front'] }, 'service is already attached to network front'],
    [{ genericResourceRm: ['tpu'] }, 'could not find generic-resource `tpu` to remove it'],
    [{ replicas: '-1' }, 'invalid argument "-1" for "--replicas" flag: must be a whole number >= 0 (e.g. 3)'],
    [{ maxConcurrent: '2' }, 'max-concurrent can only be used with replicated-job mode'],
  ])('refuses %j', (flags, message) => {
    expect(usage(() => update(flags))).toBe(message);
  });

  it('refuses replicas on global services', () => {
    const global = buildServiceSpec({ flags: { mode: 'global' }, image: 'x', args: [], environ: {}, readFile: () => '', random: () => 0 });
    expect(usage(() => update({ replicas: '2' }, global))).toBe('replicas can only be used with replicated or replicated-job mode');
    expect(usage(() => update({ replicasMaxPerNode: '2' }, global))).toBe('replicas-max-per-node can only be used with replicated or replicated-job mode');
    const job = buildServiceSpec({ flags: { mode: 'replicated-job' }, image: 'x', args: [], environ: {}, readFile: () => '', random: () => 0 });
    expect(update({ replicas: '4', maxConcurrent: '2' }, job).mode).toEqual({ kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: 4, maxConcurrent: 2 });
    expect(usage(() => update({ updateDelay: '1s' }, job))).toBe('update and rollback configuration is not supported for jobs; remove the --update-* and --rollback-* flags');
  });

  it('knows which flags change the spec', () => {
    expect(changesSpec({ rollback: true, detach: true, quiet: true, healthcheck: true })).toBe(false);
    expect(changesSpec({ rollback: true, healthcheck: false })).toBe(true);
    expect(changesSpec({ envAdd: ['A=1'] })).toBe(true);
  });
});

describe('service scale', () => {
  it('parses SERVICE=REPLICAS arguments', () => {
    expect(parseScaleArgs(['web=3', 'api=0'])).toEqual({ requests: [{ service: 'web', replicas: 3 }, { service: 'api', replicas: 0 }], errors: [] });
    expect(parseScaleArgs(['web=x', 'api=2'])).toEqual({ requests: [{ service: 'api', replicas: 2 }], errors: ['web: invalid replicas value x: must be a whole number >= 0'] });
    expect(parseScaleArgs(['web=-1']).errors).toEqual(['web: invalid replicas value -1: must be a whole number >= 0']);
  });
  it.each([['web'], ['=3'], ['web=']])('refuses the specifier %s', (arg) => {
    expect(usage(() => parseScaleArgs(['api=1', arg]))).toBe(`invalid scale specifier '${arg}'; use SERVICE=REPLICAS, e.g. web=3`);
  });
  it('needs an argument', () => {
    expect(usage(() => parseScaleArgs([]))).toBe('"shoal service scale" requires at least 1 argument; usage: shoal service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]');
  });
  it('scales replicated services and jobs only', () => {
    expect(scaleSpec(base, 7).mode?.replicas).toBe(7);
    expect(base.mode?.replicas).toBe(2);
    const global = buildServiceSpec({ flags: { mode: 'global' }, image: 'x', args: [], environ: {}, readFile: () => '', random: () => 0 });
    expect(usage(() => scaleSpec(global, 2), 1)).toBe('scale can only be used with replicated or replicated-job mode');
    expect(scaledLine('web', 3)).toBe('web scaled to 3');
  });
});
