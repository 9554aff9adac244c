// ContainerSpec → Docker's container create requests, as Docker's swarm
// executor translates it (daemon/cluster/executor/container/container.go):
// built once per task, with its secret and config files and, when it joins
// a network sandbox, the sandbox's request beside its own. Pure, so the
// translation is unit-tested without an engine.
import type Docker from 'dockerode';
import type { ContainerSpec, HealthConfig, Mount, Task } from '../gen/index.js';
import type { FileMount } from './executor.js';
import { containerLabels, containerName } from './names.js';
import { splitForSandbox, type SandboxedCreate } from './sandbox.js';

const NS_PER_MS = 1_000_000;

/** The network a task container starts on until overlay attachments exist (src/overlay). */
export const DEFAULT_NETWORK_MODE = 'bridge';

/** Whole seconds for Docker's second-granular stop timeouts, rounding up so a grace period is never cut short. */
export function gracePeriodSeconds(gracePeriodMs: number): number {
  return Math.ceil(gracePeriodMs / 1000);
}

/** What the node adds to a task's container besides its spec. */
export interface ContainerNodeOptions {
  /** Nameservers when the spec names none (the overlay's embedded DNS, 127.0.0.11). */
  readonly dnsServers?: readonly string[] | undefined;
  /** The engine network mode; DEFAULT_NETWORK_MODE unless the task must have no way out ("none": internal-networks.ts). */
  readonly networkMode?: string | undefined;
  /** The task's secret and config files, bind-mounted read-only after the spec's own mounts. */
  readonly files?: readonly FileMount[] | undefined;
}

/** Whether the task's container joins a network sandbox (sandbox.ts), besides the node's options. */
export interface TaskContainerOptions extends ContainerNodeOptions {
  readonly sandboxed: boolean;
}

/** A task's create requests: its own, or its sandbox's and its own once the sandbox's ID is known. */
export type ContainerConfig = { readonly sandbox?: undefined; readonly task: Docker.ContainerCreateOptions } | SandboxedCreate;

/** Everything the engine is asked to create for the task. */
export function containerConfig(task: Task, options: TaskContainerOptions): ContainerConfig {
  const create = containerCreateOptions(task, options);
  // The sandbox's image is the executor's to name (sandbox-image.ts).
  return options.sandboxed ? splitForSandbox(create, task, '') : { task: create };
}

/** The create request for a task's container, before any split for a sandbox. */
export function containerCreateOptions(task: Task, node: ContainerNodeOptions = {}): Docker.ContainerCreateOptions {
  const spec = task.spec?.container;
  if (spec === undefined) throw new Error(`task ${task.id} has no container spec`);
  const limits = task.spec?.resources?.limits;
  const reservations = task.spec?.resources?.reservations;
  const logDriver = task.spec?.logDriver;
  const hostPorts = hostModePorts(task);
  const options: Docker.ContainerCreateOptions = {
    name: containerName(task),
    ...(hostPorts === undefined ? {} : { ExposedPorts: Object.fromEntries(Object.keys(hostPorts).map((k) => [k, {}])) }),
    Image: spec.image,
    Labels: containerLabels(task),
    Env: spec.env,
    Tty: spec.tty,
    ...entrypointAndCmd(spec),
    ...(spec.hostname !== '' ? { Hostname: spec.hostname } : {}),
    ...(spec.dir !== '' ? { WorkingDir: spec.dir } : {}),
    ...(spec.user !== '' ? { User: spec.user } : {}),
    ...(spec.stopSignal !== '' ? { StopSignal: spec.stopSignal } : {}),
    ...(spec.stopGracePeriodMs > 0 ? { StopTimeout: gracePeriodSeconds(spec.stopGracePeriodMs) } : {}),
    ...(spec.healthcheck !== undefined && spec.healthcheck.test.length > 0 ? { Healthcheck: healthcheck(spec.healthcheck) } : {}),
    HostConfig: {
      NetworkMode: node.networkMode ?? DEFAULT_NETWORK_MODE,
      // The agent, not the engine, decides about restarts (restart-policy.ts).
      RestartPolicy: { Name: 'no' },
      Init: spec.init,
      ReadonlyRootfs: spec.readOnly,
      ...(spec.capAdd.length > 0 ? { CapAdd: spec.capAdd } : {}),
      ...(spec.capDrop.length > 0 ? { CapDrop: spec.capDrop } : {}),
      ...(Object.keys(spec.sysctls).length > 0 ? { Sysctls: spec.sysctls } : {}),
      ...(spec.ulimits.length > 0 ? { Ulimits: spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) } : {}),
      ...(spec.dnsNameservers.length > 0 ? { Dns: spec.dnsNameservers } : node.dnsServers?.length ? { Dns: [...node.dnsServers] } : {}),
      ...(hostPorts === undefined ? {} : { PortBindings: hostPorts }),
      ...(spec.hosts.length > 0 ? { ExtraHosts: spec.hosts.map(extraHost) } : {}),
      ...(spec.mounts.length > 0 || (node.files?.length ?? 0) > 0 ? { Mounts: [...spec.mounts.map(mount), ...(node.files ?? []).map(fileMount)] } : {}),
      ...(limits !== undefined && limits.nanoCpus > 0 ? { NanoCpus: limits.nanoCpus } : {}),
      ...(limits !== undefined && limits.memoryBytes > 0 ? { Memory: limits.memoryBytes } : {}),
      ...(reservations !== undefined && reservations.memoryBytes > 0 ? { MemoryReservation: reservations.memoryBytes } : {}),
      ...(logDriver !== undefined && logDriver.name !== '' ? { LogConfig: { Type: logDriver.name, Config: logDriver.options } } : {}),
    },
  };
  return options;
}

// Ports published with mode=host are the engine's own port bindings, only on
// the nodes that run a task (Docker does the same); ingress ports are the
// routing mesh's (src/overlay).
function hostModePorts(task: Task): Record<string, { HostPort: string }[]> | undefined {
  const ports = (task.endpoint?.ports ?? []).filter((p) => p.publishMode === 'HOST');
  if (ports.length === 0) return undefined;
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.targetPort}/${p.protocol.toLowerCase()}`;
    (bindings[key] ??= []).push({ HostPort: p.publishedPort === 0 ? '' : String(p.publishedPort) });
  }
  return bindings;
}

// command replaces the image's entrypoint (and args become its Cmd); args
// alone are arguments to the image's entrypoint. An explicitly empty
// entrypoint (Compose `entrypoint: []`) resets the image's.
function entrypointAndCmd(spec: ContainerSpec): { Entrypoint?: string[]; Cmd?: string[] } {
  if (spec.command.length > 0) return { Entrypoint: spec.command, Cmd: spec.args };
  const cmd = spec.args.length > 0 ? { Cmd: spec.args } : {};
  return spec.hasEntrypoint ? { Entrypoint: [''], ...cmd } : cmd;
}

function healthcheck(h: HealthConfig): NonNullable<Docker.ContainerCreateOptions['Healthcheck']> {
  return {
    Test: h.test,
    ...(h.intervalMs > 0 ? { Interval: h.intervalMs * NS_PER_MS } : {}),
    ...(h.timeoutMs > 0 ? { Timeout: h.timeoutMs * NS_PER_MS } : {}),
    ...(h.startPeriodMs > 0 ? { StartPeriod: h.startPeriodMs * NS_PER_MS } : {}),
    ...(h.retries > 0 ? { Retries: h.retries } : {}),
  };
}

// Swarm specs hold hosts in /etc/hosts order ("IP name [aliases]"); the engine
// wants "name:IP". Entries already in "name:IP" form pass through.
function extraHost(entry: string): string {
  const fields = entry.trim().split(/\s+/);
  if (fields.length < 2) return entry;
  return `${fields[1] ?? ''}:${fields[0] ?? ''}`;
}

function fileMount(file: FileMount): Docker.MountSettings {
  return { Type: 'bind', Source: file.hostPath, Target: file.containerPath, ReadOnly: true };
}

function mount(m: Mount): Docker.MountSettings {
  switch (m.type) {
    case 'BIND':
      return { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly };
    case 'VOLUME':
      return { Type: 'volume', Source: m.source, Target: m.target, ReadOnly: m.readOnly };
    case 'TMPFS':
      return {
        Type: 'tmpfs',
        Source: '',
        Target: m.target,
        ReadOnly: m.readOnly,
        TmpfsOptions: { ...(m.tmpfsSizeBytes > 0 ? { SizeBytes: m.tmpfsSizeBytes } : {}), ...(m.tmpfsMode > 0 ? { Mode: m.tmpfsMode } : {}) },
      } as Docker.MountSettings;
  }
}
