// The seven kinds of cluster object and the few facts the store needs about
// each: how to unwrap the StoreObject oneof, and which name must be unique.
import type { Cluster, Config, Network, Node, Secret, Service, StoreObject, Task } from '../../gen/index.js';

/** The kinds of object the store holds, as in StoreObject's oneof. */
export type ObjectKind = 'node' | 'service' | 'task' | 'network' | 'secret' | 'config' | 'cluster';

/** Every kind, in the order snapshots list them. */
export const OBJECT_KINDS: readonly ObjectKind[] = ['node', 'service', 'task', 'network', 'secret', 'config', 'cluster'];

/** The generated type of each kind. */
export interface ObjectByKind {
  node: Node;
  service: Service;
  task: Task;
  network: Network;
  secret: Secret;
  config: Config;
  cluster: Cluster;
}

/** Any stored object. */
export type AnyObject = ObjectByKind[ObjectKind];

/** An object together with its kind, so switches on `kind` narrow `object`. */
export type Tagged = { [K in ObjectKind]: { kind: K; object: ObjectByKind[K] } }[ObjectKind];

/** Docker keeps names unique per kind for these; nodes may share hostnames. */
export const UNIQUE_NAME_KINDS: ReadonlySet<ObjectKind> = new Set(['service', 'network', 'secret', 'config']);

/** The member of a StoreObject that is set, or undefined unless exactly one is. */
export function unwrap(object: StoreObject | undefined): Tagged | undefined {
  if (object === undefined) return undefined;
  const found: Tagged[] = [];
  for (const kind of OBJECT_KINDS) {
    const member = object[kind];
    if (member !== undefined) found.push({ kind, object: member } as Tagged);
  }
  return found.length === 1 ? found[0] : undefined;
}

/** The StoreObject oneof holding one object. */
export function wrap(tagged: Tagged): StoreObject {
  return { [tagged.kind]: tagged.object } as StoreObject;
}

/** The name Docker resolves an object by ('' when it has none). */
export function nameOf(tagged: Tagged): string {
  switch (tagged.kind) {
    case 'node':
      return tagged.object.spec?.annotations?.name || tagged.object.description?.hostname || '';
    case 'task':
      return '';
    default:
      return tagged.object.spec?.annotations?.name ?? '';
  }
}

/** Labels used by list filters (the object's own, from its spec annotations). */
export function labelsOf(tagged: Tagged): Readonly<Record<string, string>> {
  switch (tagged.kind) {
    case 'task':
      return tagged.object.serviceAnnotations?.labels ?? {};
    case 'node':
      return tagged.object.spec?.annotations?.labels ?? {};
    default:
      return tagged.object.spec?.annotations?.labels ?? {};
  }
}

/** The version index the store last wrote on this object (0 if never). */
export function versionOf(object: AnyObject): number {
  return object.meta?.version?.index ?? 0;
}
