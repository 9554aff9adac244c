import { codec, type EndpointSpec, type ServiceSpec } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { effectiveCaps, normalizeCaps } from './common-lists.js';
import { parseConstraint, parseDns, parseGenericResource, parseHost, parseNetwork, parsePlacementPref, parseUlimit, shellWords } from './container-opts.js';
import { checkEndpoint } from './endpoint-check.js';
import { configReference, parseFileRef, secretReference } from './file-ref.js';
import { oneLine } from './flag-error.js';
import { envKey, envValue, kvToMap, type Environ } from './kv.js';
import { parseMount } from './mount.js';
import { uintFlag } from './numbers.js';
import { parsePublish, portKey } from './port.js';
import { applyScalarFlags, ensureTask } from './scalar-flags.js';
import type { ServiceFlags } from './service-flags.js';

/** Everything `service update` needs besides the current spec. */
export interface UpdateInput {
  flags: ServiceFlags;
  environ: Environ;
}

// Flags that only steer the command itself, not the spec.
const NOT_SPEC = new Set<keyof ServiceFlags>(['detach', 'quiet', 'force', 'rollback', 'rebalance', 'withRegistryAuth', 'resolveImage', 'healthcheck']);

/** Whether any flag other than --rollback/-d/-q would change the spec (Docker refuses to combine them with --rollback). */
export function changesSpec(flags: ServiceFlags): boolean {
  return (Object.keys(flags) as (keyof ServiceFlags)[]).some((k) => flags[k] !== undefined && !NOT_SPEC.has(k)) || flags.healthcheck === false;
}

function removeKeys(map: Record<string, string>, keys: readonly string[] | undefined): Record<string, string> {
  const out = { ...map };
  for (const k of keys ?? []) delete out[envKey(k)];
  return out;
}

/**
 * Applies `service update` flags onto a copy of the current spec, with
 * Docker's semantics: `-rm` flags remove by key (env and label names, mount
 * targets, secret and config names, published target/protocol, exact
 * constraints), then `-add` flags add or replace. The input is not modified.
 * `--rollback` must come alone; the caller sends the rollback request instead.
 */
export function applyServiceUpdate(current: ServiceSpec, input: UpdateInput): ServiceSpec {
  const { flags } = input;
  if (flags.rollback === true && changesSpec(flags)) throw usageError('other flags may not be combined with --rollback');
  const spec = codec.ServiceSpec.fromPartial(structuredClone(current));
  const task = ensureTask(spec);
  const c = task.container;

  if (flags.image !== undefined) {
    if (flags.image.trim() === '') throw usageError('invalid argument "" for "--image" flag: the image cannot be empty');
    c.image = flags.image;
  }
  if (flags.args !== undefined) c.args = shellWords('args', flags.args);

  updateMode(spec, flags);

  // Environment: remove by name, then add or replace in place, new names at the end.
  const rmEnv = new Set(flags.envRm ?? []);
  let env = c.env.filter((e) => !rmEnv.has(envKey(e)));
  for (const raw of flags.envAdd ?? []) {
    const entry = envValue('env-add', raw, input.environ);
    const i = env.findIndex((e) => envKey(e) === envKey(entry));
    if (i >= 0) env = env.map((e, j) => (j === i ? entry : e));
    else env = [...env, entry];
  }
  c.env = env;

  if (flags.labelAdd !== undefined || flags.labelRm !== undefined) {
    spec.annotations ??= codec.Annotations.fromPartial({});
    spec.annotations.labels = { ...removeKeys(spec.annotations.labels, flags.labelRm), ...kvToMap('label-add', flags.labelAdd ?? []) };
  }
  c.labels = { ...removeKeys(c.labels, flags.containerLabelRm), ...kvToMap('container-label-add', flags.containerLabelAdd ?? []) };
  c.sysctls = { ...removeKeys(c.sysctls, flags.sysctlRm), ...kvToMap('sysctl-add', flags.sysctlAdd ?? []) };

  // Ulimits by name, sorted as Docker does; untouched unless asked, so an
  // unrelated update does not reorder the spec and restart tasks.
  if (flags.ulimitAdd !== undefined || flags.ulimitRm !== undefined) {
    const ulimits = new Map(c.ulimits.map((u) => [u.name, u]));
    for (const rm of flags.ulimitRm ?? []) ulimits.delete(envKey(rm));
    for (const add of flags.ulimitAdd ?? []) {
      const u = parseUlimit('ulimit-add', add);
      ulimits.set(u.name, u);
    }
    c.ulimits = [...ulimits.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // Mounts by target: added ones replace existing ones at the same target.
  const added = (flags.mountAdd ?? []).map((m) => parseMount('mount-add', m));
  const addedTargets = new Set<string>();
  for (const m of added) {
    if (addedTargets.has(m.target)) throw usageError(`duplicate mount target ${oneLine(m.target)} in --mount-add; give each target once`);
    addedTargets.add(m.target);
  }
  const rmTargets = new Set(flags.mountRm ?? []);
  c.mounts = [...c.mounts.filter((m) => !addedTargets.has(m.target)), ...added].filter((m) => !rmTargets.has(m.target));

  // Secrets and configs by name.
  const rmSecrets = new Set(flags.secretRm ?? []);
  c.secrets = [...c.secrets.filter((s) => !rmSecrets.has(s.secretName)), ...(flags.secretAdd ?? []).map((s) => secretReference(parseFileRef('secret-add', s)))];
  const rmConfigs = new Set(flags.configRm ?? []);
  c.configs = [...c.configs.filter((s) => !rmConfigs.has(s.configName)), ...(flags.configAdd ?? []).map((s) => configReference(parseFileRef('config-add', s)))];

  // Hosts: `--host-rm name[:ip]` drops that name (from that IP only, when given).
  let hosts = c.hosts;
  for (const rm of flags.hostRm ?? []) {
    const colon = rm.indexOf(':');
    const name = colon < 0 ? rm : rm.slice(0, colon);
    const ip = colon < 0 ? '' : rm.slice(colon + 1);
    hosts = hosts.flatMap((entry) => {
      const [entryIp = '', ...names] = entry.split(/\s+/);
      if (ip !== '' && ip !== entryIp) return [entry];
      const kept = names.filter((n) => n !== name);
      return kept.length > 0 ? [`${entryIp} ${kept.join(' ')}`] : [];
    });
  }
  if (flags.hostAdd !== undefined || flags.hostRm !== undefined) c.hosts = [...new Set([...hosts, ...(flags.hostAdd ?? []).map((h) => parseHost('host-add', h))])];

  if (flags.dnsAdd !== undefined || flags.dnsRm !== undefined) {
    const rmDns = new Set(flags.dnsRm ?? []);
    c.dnsNameservers = [...new Set([...c.dnsNameservers.filter((d) => !rmDns.has(d)), ...(flags.dnsAdd ?? []).map((d) => parseDns('dns-add', d))])];
  }

  if (flags.capAdd !== undefined || flags.capDrop !== undefined) {
    // Adding a capability undoes an earlier drop of it, and vice versa.
    const add = normalizeCaps(flags.capAdd ?? []);
    const drop = normalizeCaps(flags.capDrop ?? []);
    const caps = effectiveCaps([...c.capAdd.filter((x) => !drop.includes(x)), ...add], [...c.capDrop.filter((x) => !add.includes(x)), ...drop]);
    c.capAdd = caps.capAdd;
    c.capDrop = caps.capDrop;
  }

  // Placement: constraints are removed by exact text and kept sorted, as Docker.
  if (flags.constraintAdd !== undefined || flags.constraintRm !== undefined) {
    task.placement ??= codec.Placement.fromPartial({});
    const rmConstraints = new Set(flags.constraintRm ?? []);
    task.placement.constraints = [...task.placement.constraints, ...(flags.constraintAdd ?? []).map((x) => parseConstraint('constraint-add', x))].filter((x) => !rmConstraints.has(x)).sort();
  }
  if (flags.placementPrefAdd !== undefined || flags.placementPrefRm !== undefined) {
    task.placement ??= codec.Placement.fromPartial({});
    const rmPrefs = new Set((flags.placementPrefRm ?? []).map((p) => parsePlacementPref('placement-pref-rm', p).spreadDescriptor));
    task.placement.preferences = [...task.placement.preferences.filter((p) => !rmPrefs.has(p.spreadDescriptor)), ...(flags.placementPrefAdd ?? []).map((p) => parsePlacementPref('placement-pref-add', p))];
  }

  // Generic resources by kind.
  if (flags.genericResourceAdd !== undefined || flags.genericResourceRm !== undefined) {
    task.resources ??= codec.ResourceRequirements.fromPartial({});
    task.resources.reservations ??= codec.Resources.fromPartial({});
    const res = task.resources.reservations;
    for (const kind of flags.genericResourceRm ?? []) {
      if (!res.generic.some((g) => g.kind === kind)) throw usageError(`could not find generic-resource \`${oneLine(kind)}\` to remove it`);
      res.generic = res.generic.filter((g) => g.kind !== kind);
    }
    for (const add of flags.genericResourceAdd ?? []) {
      const g = parseGenericResource('generic-resource-add', add);
      res.generic = [...res.generic.filter((x) => x.kind !== g.kind), g];
    }
  }

  // Networks by name (or ID, as given).
  const rmNetworks = new Set(flags.networkRm ?? []);
  const networks = task.networks.filter((n) => !rmNetworks.has(n.target));
  for (const add of flags.networkAdd ?? []) {
    const n = parseNetwork('network-add', add);
    if (networks.some((x) => x.target === n.target)) throw usageError(`service is already attached to network ${oneLine(n.target)}`);
    networks.push(n);
  }
  task.networks = networks;

  // Published ports: `--publish-rm` matches target port, protocol and mode; adds skip exact duplicates.
  if (flags.publishAdd !== undefined || flags.publishRm !== undefined) {
    spec.endpoint ??= codec.EndpointSpec.fromPartial({ mode: 'VIP' });
    updatePorts(spec.endpoint, flags);
  }

  applyScalarFlags(spec, flags);
  checkEndpoint(spec);
  if (flags.force === true) task.forceUpdate = task.forceUpdate + 1;
  return spec;
}

/** Ports are sorted by Docker's port key after an edit, as Docker does. */
function updatePorts(endpoint: EndpointSpec, flags: ServiceFlags): void {
  const rmPorts = (flags.publishRm ?? []).flatMap((p) => parsePublish('publish-rm', p));
  const ports = endpoint.ports.filter((p) => !rmPorts.some((r) => r.targetPort === p.targetPort && r.protocol === p.protocol && r.publishMode === p.publishMode));
  for (const add of (flags.publishAdd ?? []).flatMap((p) => parsePublish('publish-add', p))) {
    if (!ports.some((p) => portKey(p) === portKey(add))) ports.push(add);
  }
  endpoint.ports = ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
}

function updateMode(spec: ServiceSpec, flags: ServiceFlags): void {
  // A spec without a mode is replicated (the proto's zero value).
  const mode = spec.mode ?? codec.ServiceMode.fromPartial({});
  if (flags.replicas !== undefined || flags.maxConcurrent !== undefined) spec.mode = mode;
  if (flags.replicas !== undefined) {
    const replicas = uintFlag('replicas', flags.replicas);
    if (mode.kind === 'REPLICATED') mode.replicas = replicas;
    else if (mode.kind === 'REPLICATED_JOB') mode.totalCompletions = replicas;
    else throw usageError('replicas can only be used with replicated or replicated-job mode');
  }
  if (flags.maxConcurrent !== undefined) {
    if (mode.kind !== 'REPLICATED_JOB') throw usageError('max-concurrent can only be used with replicated-job mode');
    mode.maxConcurrent = uintFlag('max-concurrent', flags.maxConcurrent);
  }
  if (flags.replicasMaxPerNode !== undefined && (mode.kind === 'GLOBAL' || mode.kind === 'GLOBAL_JOB')) {
    throw usageError('replicas-max-per-node can only be used with replicated or replicated-job mode');
  }
}
