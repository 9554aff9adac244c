// `stack deploy` as a plan: what the cluster holds now plus the loaded stack
// give every create, update and removal up front, or every reason not to
// deploy at all. Checking everything before the first call is how a bad
// deploy leaves nothing half-applied. Pure: the cluster comes in as lists.
import type { Config, ConfigSpec, Network, NetworkSpec, Secret, SecretSpec, Service, ServiceSpec, Version } from '../../gen/index.js';
import { canonicalJson, namespaceLabel, planServices, type Stack } from '../../stack/index.js';
import { MAX_CONFIG_BYTES, MAX_SECRET_BYTES } from '../spec/index.js';

/** Docker's limits on secret and config size (as `secret/config create`); checked here so a deploy fails before creating anything. */
export const MAX_DATA_BYTES = { secret: MAX_SECRET_BYTES, config: MAX_CONFIG_BYTES } as const;

/** What the cluster holds: all of each kind (external objects live outside the stack). */
export interface ClusterView {
  readonly services: readonly Service[];
  readonly networks: readonly Network[];
  readonly secrets: readonly Secret[];
  readonly configs: readonly Config[];
}

/** One call a deploy makes, in order. */
export type DeployStep =
  | { readonly kind: 'remove-service'; readonly name: string; readonly id: string }
  | { readonly kind: 'create-network'; readonly name: string; readonly spec: NetworkSpec }
  | { readonly kind: 'create-secret'; readonly name: string; readonly spec: SecretSpec }
  | { readonly kind: 'create-config'; readonly name: string; readonly spec: ConfigSpec }
  | { readonly kind: 'update-secret'; readonly name: string; readonly id: string; readonly version: Version | undefined; readonly spec: SecretSpec }
  | { readonly kind: 'update-config'; readonly name: string; readonly id: string; readonly version: Version | undefined; readonly spec: ConfigSpec }
  | { readonly kind: 'create-service'; readonly name: string; readonly spec: ServiceSpec }
  | { readonly kind: 'update-service'; readonly name: string; readonly id: string; readonly version: Version | undefined; readonly spec: ServiceSpec }
  // Printed as Docker prints every existing service ("Updating service"), but not sent: its spec already matches.
  | { readonly kind: 'keep-service'; readonly name: string; readonly id: string };

/**
 * An existing secret or config the files declare: only the cluster can say
 * whether the files' content is the stored one (secret data is never read
 * back), so the deploy asks it (validate_only) before any step runs.
 */
export type DataObjectCheck =
  | { readonly kind: 'secret'; readonly name: string; readonly id: string; readonly version: Version | undefined; readonly spec: SecretSpec }
  | { readonly kind: 'config'; readonly name: string; readonly id: string; readonly version: Version | undefined; readonly spec: ConfigSpec };

/** The deploy's steps, and the IDs of secrets and configs that already exist (new ones are learnt as they are created). */
export interface DeployPlan {
  readonly steps: readonly DeployStep[];
  /** Existing secrets and configs to check with the cluster before the first step. */
  readonly checks: readonly DataObjectCheck[];
  /** Services whose spec already matches the files: left alone. */
  readonly unchanged: readonly string[];
  readonly secretIds: ReadonlyMap<string, string>;
  readonly configIds: ReadonlyMap<string, string>;
}

/** A plan, or every reason not to deploy; the checks come with both so the cluster's verdicts join the errors. */
export type DeployPlanResult =
  | { readonly ok: true; readonly plan: DeployPlan }
  | { readonly ok: false; readonly errors: readonly string[]; readonly checks: readonly DataObjectCheck[] };

const nameOf = (o: { spec?: { annotations?: { name: string } | undefined } | undefined }): string => o.spec?.annotations?.name ?? '';
const labelsOf = (o: { spec?: { annotations?: { labels: Record<string, string> } | undefined } | undefined }): Record<string, string> => o.spec?.annotations?.labels ?? {};
const inStack = (namespace: string) => (o: { spec?: { annotations?: { labels: Record<string, string> } | undefined } | undefined }): boolean => labelsOf(o)[namespaceLabel] === namespace;

/** Plans `stack deploy` of `stack` onto `cluster`; `prune` removes the stack's services the files no longer name. */
export function planDeploy(stack: Stack, cluster: ClusterView, opts: { readonly prune: boolean }): DeployPlanResult {
  const errors: string[] = [];
  const ns = stack.namespace;
  const networksByName = new Map(cluster.networks.map((n) => [nameOf(n), n]));
  const secretsByName = new Map(cluster.secrets.map((s) => [nameOf(s), s]));
  const configsByName = new Map(cluster.configs.map((c) => [nameOf(c), c]));
  const stackServices = cluster.services.filter(inStack(ns));
  const createNetworks: DeployStep[] = [];
  const createSecrets: DeployStep[] = [];
  const createConfigs: DeployStep[] = [];
  const checks: DataObjectCheck[] = [];

  for (const net of stack.networks) {
    const name = net.spec.annotations?.name ?? net.key;
    const existing = networksByName.get(name);
    if (net.external) {
      if (!existing) errors.push(`network "${name}" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed`);
    } else if (!existing) {
      createNetworks.push({ kind: 'create-network', name, spec: net.spec });
    } else if (!inStack(ns)(existing)) {
      errors.push(`network ${name} already exists and is not part of stack ${ns}: remove it, or declare it in the Compose file with external: true`);
    }
  }

  for (const [what, declared, byName, out] of [
    ['secret', stack.secrets, secretsByName, createSecrets],
    ['config', stack.configs, configsByName, createConfigs],
  ] as const) {
    for (const obj of declared) {
      const name = obj.spec.annotations?.name ?? obj.key;
      const existing = byName.get(name);
      if (obj.source.kind === 'external') {
        if (!existing) errors.push(`${what} "${name}" is declared as external, but could not be found: create it with "shoal ${what} create ${name} FILE" before deploying`);
        continue;
      }
      if (existing) {
        // The cluster compares the content (it alone can open a secret) and
        // refuses a change; labels can change, as Docker's SecretUpdate
        // allows, but only on the stack's own objects: relabelling a
        // same-named one from outside would hand it to `stack rm`.
        const found = { name, id: existing.id, version: existing.meta?.version };
        checks.push(what === 'secret' ? { kind: 'secret', ...found, spec: obj.spec } : { kind: 'config', ...found, spec: obj.spec });
        if (inStack(ns)(existing) && canonicalJson(labelsOf(existing)) !== canonicalJson(obj.spec.annotations?.labels ?? {})) {
          out.push(what === 'secret' ? { kind: 'update-secret', ...found, spec: obj.spec } : { kind: 'update-config', ...found, spec: obj.spec });
        }
        continue;
      }
      const from = obj.source.kind === 'file' ? `file ${obj.source.path}` : `variable ${obj.source.variable}`;
      if (obj.spec.data.length === 0) errors.push(`${what} ${name}: ${from} is empty; a ${what} needs content`);
      else if (obj.spec.data.length > MAX_DATA_BYTES[what]) errors.push(`${what} ${name}: ${from} is ${obj.spec.data.length} bytes; the limit is ${MAX_DATA_BYTES[what]} bytes (${MAX_DATA_BYTES[what] / 1024} KB)`);
      else if (what === 'secret') out.push({ kind: 'create-secret', name, spec: obj.spec });
      else out.push({ kind: 'create-config', name, spec: obj.spec });
    }
  }

  for (const spec of stack.services) {
    const name = spec.annotations?.name ?? '';
    const other = cluster.services.find((s) => nameOf(s) === name && !inStack(ns)(s));
    if (other) errors.push(`service ${name} already exists and is not part of stack ${ns}: remove it (shoal service rm ${name}), or deploy under another stack name`);
  }
  if (errors.length > 0) return { ok: false, errors, checks };

  // Compare as the file would write them: networks by name even if the
  // cluster stores their IDs.
  const networkNames = new Map(cluster.networks.map((n) => [n.id, nameOf(n)]));
  const current = stackServices.map((s) => withNetworkNames(s.spec ?? ({} as ServiceSpec), networkNames));
  const services = planServices(current, stack.services);
  const byName = new Map(stackServices.map((s) => [nameOf(s), s]));
  const desired = new Map(stack.services.map((s) => [s.annotations?.name ?? '', s]));
  const steps: DeployStep[] = [];
  if (opts.prune) for (const name of services.prune) steps.push({ kind: 'remove-service', name, id: byName.get(name)?.id ?? name });
  steps.push(...createNetworks, ...createSecrets, ...createConfigs);
  const changed = new Set([...services.create, ...services.update]);
  for (const [name, spec] of [...desired].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const existing = byName.get(name);
    if (!existing) steps.push({ kind: 'create-service', name, spec });
    else if (!changed.has(name)) steps.push({ kind: 'keep-service', name, id: existing.id });
    else steps.push({ kind: 'update-service', name, id: existing.id, version: existing.meta?.version, spec: keepClusterFields(spec, existing.spec) });
  }
  return {
    ok: true,
    plan: {
      steps,
      checks,
      unchanged: services.unchanged,
      secretIds: new Map(cluster.secrets.map((s) => [nameOf(s), s.id])),
      configIds: new Map(cluster.configs.map((c) => [nameOf(c), c.id])),
    },
  };
}

/**
 * The spec with its secret and config references pointing at IDs, as the
 * cluster needs them (Docker's CLI resolves them the same way). A name
 * without an ID is a bug: planning checked every one exists or is created.
 */
export function withObjectIds(spec: ServiceSpec, secretIds: ReadonlyMap<string, string>, configIds: ReadonlyMap<string, string>): ServiceSpec {
  const container = spec.task?.container;
  if (!spec.task || !container) return spec;
  const idOf = (ids: ReadonlyMap<string, string>, what: string, name: string): string => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`${what} ${name} was neither found nor created`);
    return id;
  };
  return {
    ...spec,
    task: {
      ...spec.task,
      container: {
        ...container,
        secrets: container.secrets.map((r) => ({ ...r, secretId: idOf(secretIds, 'secret', r.secretName) })),
        configs: container.configs.map((r) => ({ ...r, configId: idOf(configIds, 'config', r.configName) })),
      },
    },
  };
}

// What the cluster owns stays as it is: a redeploy must not undo `service update --force`.
function keepClusterFields(spec: ServiceSpec, current: ServiceSpec | undefined): ServiceSpec {
  if (!spec.task) return spec;
  return { ...spec, task: { ...spec.task, forceUpdate: current?.task?.forceUpdate ?? 0 } };
}

function withNetworkNames(spec: ServiceSpec, names: ReadonlyMap<string, string>): ServiceSpec {
  const rename = <T extends { target: string }>(list: readonly T[]): T[] => list.map((n) => ({ ...n, target: names.get(n.target) ?? n.target }));
  return spec.task ? { ...spec, task: { ...spec.task, networks: rename(spec.task.networks) } } : spec;
}
