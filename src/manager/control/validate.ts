import type { NetworkSpec, ServiceSpec } from '../../gen/index.js';

/** Docker's rule for object names: a letter or digit, then letters, digits, '_', '.', '-'. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_NAME_LENGTH = 63;

/** The first problem with a name, in a sentence that says how to fix it. */
export function nameProblem(kind: string, name: string): string | undefined {
  if (name === '') return undefined;
  if (name.length > MAX_NAME_LENGTH) return `invalid ${kind} name "${name}": at most ${MAX_NAME_LENGTH} characters are allowed`;
  if (!NAME.test(name)) return `invalid ${kind} name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`;
  return undefined;
}

/** Checks a service spec as the leader receives it; the first problem, or undefined. */
export function serviceSpecProblem(spec: ServiceSpec, validatePlacement: (c: readonly string[], p: readonly string[]) => string | undefined): string | undefined {
  const name = spec.annotations?.name ?? '';
  const bad = nameProblem('service', name);
  if (bad) return bad;
  const container = spec.task?.container;
  if (!container || container.image.trim() === '') return 'ContainerSpec: image reference must be provided';
  const mode = spec.mode?.kind ?? 'REPLICATED';
  if ((mode === 'GLOBAL' || mode === 'GLOBAL_JOB') && (spec.mode?.replicas ?? 0) > 0) return 'replicas can only be used with replicated or replicated-job mode';
  const placement = spec.task?.placement;
  const placementProblem = validatePlacement(placement?.constraints ?? [], (placement?.preferences ?? []).map((p) => p.spreadDescriptor));
  if (placementProblem) return placementProblem;
  const seen = new Map<string, string>();
  for (const port of spec.endpoint?.ports ?? []) {
    if (port.targetPort < 1 || port.targetPort > 65535) return `invalid target port ${port.targetPort}: ports are 1-65535`;
    if (port.publishedPort > 65535) return `invalid published port ${port.publishedPort}: ports are 1-65535`;
    if (port.publishedPort === 0) continue;
    const key = `${port.publishedPort}/${port.protocol}`;
    if (seen.has(key)) return `port ${key} is published twice in this service`;
    seen.set(key, port.publishMode);
  }
  for (const secret of container.secrets) if (!secret.file?.name) return `secret ${secret.secretName}: a target file name is required`;
  return undefined;
}

/** Checks a network spec; the first problem, or undefined. */
export function networkSpecProblem(spec: NetworkSpec): string | undefined {
  const name = spec.annotations?.name ?? '';
  if (name === '') return 'a network needs a name';
  return nameProblem('network', name);
}
