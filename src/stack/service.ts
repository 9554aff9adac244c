// One Compose service as a swarm ServiceSpec (docker/cli convert.Service):
// named `STACK_name`, labelled with the namespace and `com.docker.stack.image`.
import type { ContainerSpec, DependsOn, DependsOn_Condition, HealthConfig, LogDriver, ServiceSpec, Ulimit } from '../gen/index.js';
import { scope, withStackLabel, type ConvertContext } from './context.js';
import { defaultStopGracePeriodMs, durationAt, placement, resourceRequirements, restartPolicy, serviceMode, updateConfig } from './deploy.js';
import { serviceEnvironment } from './environment.js';
import { configReferences, secretReferences } from './file-objects.js';
import { imageReferenceError } from './image-ref.js';
import { serviceAttachments, type StackNetwork } from './networks.js';
import { convertPorts } from './ports.js';
import { shellWords } from './shell-words.js';
import { compareStrings, isRecord, listOrDict, scalarString, stringOrList } from './values.js';
import { convertTmpfs, convertVolumes, type StackVolume } from './volumes.js';

/** The label holding the image as the Compose file names it. */
export const imageLabel = 'com.docker.stack.image';

/** What the stack declares at the top level, for services to refer to. */
export interface Declarations {
  readonly networks: readonly StackNetwork[];
  readonly volumes: ReadonlyMap<string, StackVolume>;
  readonly secretNames: ReadonlyMap<string, string>;
  readonly configNames: ReadonlyMap<string, string>;
  readonly serviceNames: ReadonlySet<string>;
}

type Path = readonly (string | number)[];

/** Convert service `name`; problems are recorded on `ctx`. */
export function convertService(ctx: ConvertContext, name: string, service: Record<string, unknown>, decl: Declarations): ServiceSpec {
  const path = ['services', name];
  const scoped = scope(ctx.namespace, name);
  // Swarm's rule for service names, which become DNS names on the stack's networks.
  if (scoped.length > 63 || !/^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/.test(scoped)) {
    ctx.error(path, `service name ${scoped} is not valid as a DNS name component (letters, digits, "-" and "_", at most 63 characters)`);
  }
  const deploy = isRecord(service.deploy) ? service.deploy : {};
  const deployPath = [...path, 'deploy'];
  const image = scalarString(service.image ?? '');
  const imageError = imageReferenceError(image);
  if (imageError !== undefined) ctx.error(service.image === undefined ? path : [...path, 'image'], `invalid image reference for service ${name}: ${imageError}`);

  const endpointMode = scalarString(deploy.endpoint_mode ?? 'vip').toLowerCase();
  if (endpointMode !== 'vip' && endpointMode !== 'dnsrr') ctx.error([...deployPath, 'endpoint_mode'], `invalid endpoint mode ${JSON.stringify(endpointMode)}: use vip or dnsrr`);

  const labels = withStackLabel(ctx.namespace, listOrDict(deploy.labels));
  labels[imageLabel] = image;
  const logDriver = logging(service.logging);
  const mode = serviceMode(ctx, deployPath, deploy);
  const job = mode.kind === 'REPLICATED_JOB' || mode.kind === 'GLOBAL_JOB';
  const update = updateConfig(ctx, deployPath, deploy, 'update_config', job);
  const rollback = updateConfig(ctx, deployPath, deploy, 'rollback_config', job);
  return {
    annotations: { name: scoped, labels: sortKeys(labels) },
    task: {
      container: container(ctx, path, service, decl, image),
      resources: resourceRequirements(ctx, deployPath, deploy),
      restart: restartPolicy(ctx, path, service),
      placement: placement(deploy),
      networks: serviceAttachments(ctx, path, name, service, decl.networks),
      ...(logDriver ? { logDriver } : {}),
      forceUpdate: 0,
    },
    mode,
    ...(update ? { update } : {}),
    ...(rollback ? { rollback } : {}),
    endpoint: { mode: endpointMode === 'dnsrr' ? 'DNSRR' : 'VIP', ports: convertPorts(ctx, [...path, 'ports'], service.ports) },
    dependsOn: dependsOn(ctx, [...path, 'depends_on'], service.depends_on, decl.serviceNames),
  };
}

function container(ctx: ConvertContext, path: Path, service: Record<string, unknown>, decl: Declarations, image: string): ContainerSpec {
  const healthcheck = health(ctx, [...path, 'healthcheck'], service.healthcheck);
  const [capAdd, capDrop] = capabilities(stringOrList(service.cap_add), stringOrList(service.cap_drop));
  return {
    image,
    labels: withStackLabel(ctx.namespace, listOrDict(service.labels)),
    command: words(ctx, [...path, 'entrypoint'], service.entrypoint),
    args: words(ctx, [...path, 'command'], service.command),
    hostname: scalarString(service.hostname ?? ''),
    env: serviceEnvironment(ctx, path, service),
    dir: scalarString(service.working_dir ?? ''),
    user: scalarString(service.user ?? ''),
    mounts: [
      ...convertVolumes(ctx, [...path, 'volumes'], service.volumes, decl.volumes),
      ...convertTmpfs(ctx, [...path, 'tmpfs'], service.tmpfs),
    ],
    stopGracePeriodMs: durationAt(ctx, [...path, 'stop_grace_period'], service.stop_grace_period, defaultStopGracePeriodMs),
    stopSignal: scalarString(service.stop_signal ?? ''),
    ...(healthcheck ? { healthcheck } : {}),
    hosts: extraHosts(service.extra_hosts),
    dnsNameservers: stringOrList(service.dns),
    secrets: secretReferences(ctx, [...path, 'secrets'], service.secrets, decl.secretNames),
    configs: configReferences(ctx, [...path, 'configs'], service.configs, decl.configNames),
    init: service.init === true,
    capAdd,
    capDrop,
    sysctls: sortKeys(Object.fromEntries([...listOrDict(service.sysctls)].map(([k, v]) => [k, v ?? '']))),
    ulimits: ulimits(service.ulimits),
    tty: service.tty === true,
    readOnly: service.read_only === true,
    hasEntrypoint: service.entrypoint !== undefined && service.entrypoint !== null,
  };
}

// A string command is split into words as docker/cli does; a list is kept.
function words(ctx: ConvertContext, path: Path, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(scalarString);
  const w = shellWords(scalarString(v));
  if (w.ok) return w.words;
  ctx.error(path, w.message);
  return [];
}

function health(ctx: ConvertContext, path: Path, h: unknown): HealthConfig | undefined {
  if (!isRecord(h)) return undefined;
  const test = h.test === undefined || h.test === null ? [] : Array.isArray(h.test) ? h.test.map(scalarString) : ['CMD-SHELL', scalarString(h.test)];
  if (h.disable === true) {
    if (test.length > 0) ctx.error([...path, 'disable'], "test and disable can't be set at the same time");
    return { test: ['NONE'], intervalMs: 0, timeoutMs: 0, startPeriodMs: 0, retries: 0 };
  }
  return {
    test,
    intervalMs: durationAt(ctx, [...path, 'interval'], h.interval, 0),
    timeoutMs: durationAt(ctx, [...path, 'timeout'], h.timeout, 0),
    startPeriodMs: durationAt(ctx, [...path, 'start_period'], h.start_period, 0),
    retries: Number(h.retries ?? 0),
  };
}

// "host:ip" (or "host=ip", or a mapping) → "ip host", the /etc/hosts order Docker uses.
function extraHosts(v: unknown): string[] {
  if (isRecord(v)) return Object.entries(v).map(([host, ip]) => `${scalarString(ip)} ${host}`);
  return stringOrList(v).flatMap((entry) => {
    const sep = entry.search(/[:=]/);
    return sep < 0 ? [] : [`${entry.slice(sep + 1)} ${entry.slice(0, sep)}`];
  });
}

// Docker's EffectiveCapAddCapDrop: upper-case, CAP_ prefix, ALL wins, sorted.
function capabilities(add: string[], drop: string[]): [string[], string[]] {
  const norm = (c: string) => {
    const u = c.trim().toUpperCase();
    return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  };
  const a = [...new Set(add.map(norm))].sort(compareStrings);
  const d = [...new Set(drop.map(norm))].sort(compareStrings);
  if (a.includes('ALL')) return [['ALL'], d.filter((c) => c !== 'ALL')];
  if (d.includes('ALL')) return [a, ['ALL']];
  return [a.filter((c) => !d.includes(c)), d];
}

function ulimits(v: unknown): Ulimit[] {
  if (!isRecord(v)) return [];
  return Object.keys(v).sort(compareStrings).map((name) => {
    const u = v[name];
    if (isRecord(u)) return { name, soft: Number(u.soft ?? 0), hard: Number(u.hard ?? 0) };
    return { name, soft: Number(u), hard: Number(u) };
  });
}

function logging(v: unknown): LogDriver | undefined {
  if (!isRecord(v)) return undefined;
  const options: Record<string, string> = {};
  if (isRecord(v.options)) for (const k of Object.keys(v.options).sort(compareStrings)) options[k] = scalarString(v.options[k]);
  return { name: scalarString(v.driver ?? ''), options };
}

const dependsConditions: Readonly<Record<string, DependsOn_Condition>> = {
  service_started: 'SERVICE_STARTED',
  service_healthy: 'SERVICE_HEALTHY',
  service_completed_successfully: 'SERVICE_COMPLETED_SUCCESSFULLY',
};

function dependsOn(ctx: ConvertContext, path: Path, v: unknown, services: ReadonlySet<string>): DependsOn[] {
  const entries: [string, unknown][] = Array.isArray(v) ? v.map((s) => [scalarString(s), undefined]) : isRecord(v) ? Object.entries(v) : [];
  const out: DependsOn[] = [];
  for (const [service, opts] of entries) {
    if (!services.has(service)) {
      ctx.error([...path, service], `depends on undefined service ${JSON.stringify(service)}`);
      continue;
    }
    const text = isRecord(opts) ? scalarString(opts.condition ?? 'service_started') : 'service_started';
    const condition = dependsConditions[text];
    if (condition === undefined) {
      ctx.error([...path, service, 'condition'], `invalid condition ${JSON.stringify(text)}: use service_started, service_healthy or service_completed_successfully`);
      continue;
    }
    // Scoped like every stack object, so the orchestrator can find it by name.
    out.push({ service: scope(ctx.namespace, service), condition });
  }
  return out.sort((a, b) => compareStrings(a.service, b.service));
}

function sortKeys(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => compareStrings(a, b)));
}
