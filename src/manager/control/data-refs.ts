// A service's secret and config references as the leader stores them: each
// names an existing object by ID and name, one file per target. The CLI and
// stacks send names; the leader resolves them, so a service never points at
// a secret that is not there (and `secret rm` can tell what uses what).
import type { ConfigReference, SecretReference, ServiceSpec } from '../../gen/index.js';
import type { MemoryStore } from '../store/index.js';

/** The spec with every secret/config reference resolved to an ID; or the first problem, in one line. */
export function resolveDataReferences(store: MemoryStore, spec: ServiceSpec): { spec: ServiceSpec } | { problem: string } {
  const container = spec.task?.container;
  if (!container) return { spec };
  const secrets: SecretReference[] = [];
  for (const ref of container.secrets) {
    const found = lookUp(store, 'secret', ref.secretId, ref.secretName);
    if ('problem' in found) return found;
    secrets.push({ ...ref, secretId: found.id, secretName: found.name });
  }
  const configs: ConfigReference[] = [];
  for (const ref of container.configs) {
    const found = lookUp(store, 'config', ref.configId, ref.configName);
    if ('problem' in found) return found;
    configs.push({ ...ref, configId: found.id, configName: found.name });
  }
  const duplicate = duplicateTarget('secret', secrets.map((r) => r.file?.name ?? '')) ?? duplicateTarget('config', configs.map((r) => r.file?.name ?? ''));
  if (duplicate) return { problem: duplicate };
  return { spec: { ...spec, task: { ...spec.task!, container: { ...container, secrets, configs } } } };
}

function lookUp(store: MemoryStore, kind: 'secret' | 'config', id: string, name: string): { id: string; name: string } | { problem: string } {
  const ref = id || name;
  const found = ref === '' ? undefined : store.resolve(kind, ref);
  if (!found?.ok) return { problem: `${kind} not found: ${ref || '(no name)'}; create it first with "shoal ${kind} create ${name || 'NAME'} FILE"` };
  return { id: found.value.id, name: found.value.spec?.annotations?.name ?? name };
}

function duplicateTarget(kind: string, targets: string[]): string | undefined {
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target)) return `duplicate ${kind} target for ${target} not allowed: give each ${kind} its own target`;
    seen.add(target);
  }
  return undefined;
}
