import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addServiceSpecFlags } from '../flags.js';
import { buildServiceSpec } from './create.js';
import type { ServiceFlags } from './service-flags.js';
import { applyServiceUpdate } from './update.js';

// The flag names commander produces from src/cli/flags.ts must be the ones ServiceFlags declares.
function parse(mode: 'create' | 'update', argv: string[]): { opts: Record<string, unknown>; args: string[] } {
  const cmd = addServiceSpecFlags(new Command('x').exitOverride(), mode);
  // Docker stops reading flags at IMAGE (`nginx -g 'daemon off;'` are the command's), which commander does with passThroughOptions.
  if (mode === 'create') cmd.argument('<image>').argument('[command...]').passThroughOptions();
  else cmd.argument('<service>');
  let result: { opts: Record<string, unknown>; args: string[] } = { opts: {}, args: [] };
  cmd.action((...a: unknown[]) => {
    const command = a.at(-1) as Command;
    result = { opts: command.opts(), args: command.args };
  });
  cmd.parse(argv, { from: 'user' });
  return result;
}

const KNOWN: (keyof ServiceFlags)[] = [
  'name', 'mode', 'env', 'envFile', 'label', 'containerLabel', 'publish', 'network', 'constraint', 'placementPref', 'secret', 'config', 'mount', 'dns', 'host', 'sysctl', 'ulimit', 'genericResource',
  'envAdd', 'envRm', 'labelAdd', 'labelRm', 'containerLabelAdd', 'containerLabelRm', 'publishAdd', 'publishRm', 'networkAdd', 'networkRm', 'constraintAdd', 'constraintRm', 'placementPrefAdd', 'placementPrefRm',
  'secretAdd', 'secretRm', 'configAdd', 'configRm', 'mountAdd', 'mountRm', 'dnsAdd', 'dnsRm', 'hostAdd', 'hostRm', 'genericResourceAdd', 'genericResourceRm', 'sysctlAdd', 'sysctlRm', 'ulimitAdd', 'ulimitRm',
  'image', 'args', 'force', 'rollback', 'rebalance', 'replicas', 'maxConcurrent', 'replicasMaxPerNode', 'capAdd', 'capDrop', 'logOpt', 'reserveCpu', 'reserveMemory', 'limitCpu', 'limitMemory',
  'restartCondition', 'restartDelay', 'restartMaxAttempts', 'restartWindow', 'updateParallelism', 'updateDelay', 'updateFailureAction', 'updateMonitor', 'updateMaxFailureRatio', 'updateOrder',
  'rollbackParallelism', 'rollbackDelay', 'rollbackFailureAction', 'rollbackMonitor', 'rollbackMaxFailureRatio', 'rollbackOrder', 'healthCmd', 'healthInterval', 'healthTimeout', 'healthRetries',
  'healthStartPeriod', 'healthcheck', 'endpointMode', 'workdir', 'user', 'hostname', 'entrypoint', 'stopGracePeriod', 'stopSignal', 'init', 'tty', 'readOnly', 'logDriver', 'placementStrategy',
  'withRegistryAuth', 'resolveImage', 'detach', 'quiet',
];

describe('ServiceFlags matches the commander options', () => {
  it('declares every option flags.ts defines', () => {
    for (const mode of ['create', 'update'] as const) {
      const cmd = addServiceSpecFlags(new Command('x'), mode);
      for (const option of cmd.options) expect(KNOWN, `${mode} ${option.long ?? ''}`).toContain(option.attributeName());
    }
  });

  it('builds a spec from a real command line', () => {
    const { opts, args } = parse('create', ['--name', 'web', '--replicas', '3', '-e', 'A=1', '-p', '8080:80', '--no-healthcheck', '--limit-memory', '512m', '--update-delay', '10s', 'nginx:1.27', 'nginx', '-g', 'daemon off;']);
    const [image = '', ...rest] = args;
    const spec = buildServiceSpec({ flags: opts as ServiceFlags, image, args: rest, environ: {}, readFile: () => '', random: () => 0 });
    expect(spec.annotations?.name).toBe('web');
    expect(spec.mode?.replicas).toBe(3);
    expect(spec.task?.container?.env).toEqual(['A=1']);
    expect(spec.task?.container?.args).toEqual(['nginx', '-g', 'daemon off;']);
    expect(spec.task?.container?.healthcheck?.test).toEqual(['NONE']);
    expect(spec.task?.resources?.limits?.memoryBytes).toBe(512 * 1024 ** 2);
    expect(spec.update?.delayMs).toBe(10_000);
    expect(spec.endpoint?.ports[0]?.publishedPort).toBe(8080);
  });

  it('updates a spec from a real command line', () => {
    const created = buildServiceSpec({ flags: parse('create', ['--name', 'web', 'nginx']).opts as ServiceFlags, image: 'nginx', args: [], environ: {}, readFile: () => '', random: () => 0 });
    const { opts } = parse('update', ['--env-add', 'B=2', '--publish-add', '80', '--image', 'nginx:2', '--force', 'web']);
    const spec = applyServiceUpdate(created, { flags: opts as ServiceFlags, environ: {} });
    expect(spec.task?.container?.env).toEqual(['B=2']);
    expect(spec.task?.container?.image).toBe('nginx:2');
    expect(spec.task?.forceUpdate).toBe(1);
    expect(spec.endpoint?.ports.map((p) => p.targetPort)).toEqual([80]);
    expect(spec.task?.container?.healthcheck).toBeUndefined();
  });
});
