import { codec, type NodeSpec, type NodeSpec_Availability, type NodeSpec_Role } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { invalidFlag, oneLine } from './flag-error.js';
import { kvToMap } from './kv.js';

/** The options commander hands `node update`. */
export interface NodeUpdateFlags {
  availability?: string;
  role?: string;
  labelAdd?: string[];
  labelRm?: string[];
}

const AVAILABILITY: Record<string, NodeSpec_Availability> = { active: 'ACTIVE', pause: 'PAUSE', drain: 'DRAIN' };
const ROLE: Record<string, NodeSpec_Role> = { worker: 'WORKER', manager: 'MANAGER' };

/**
 * `node update` flags onto a copy of the node's spec, as Docker: labels are
 * removed first (a missing one is an error), then added or replaced.
 */
export function applyNodeUpdate(current: NodeSpec, flags: NodeUpdateFlags): NodeSpec {
  const spec = codec.NodeSpec.fromPartial(structuredClone(current));
  if (flags.availability !== undefined) {
    const a = AVAILABILITY[flags.availability.toLowerCase()];
    if (a === undefined) throw invalidFlag('availability', flags.availability, 'must be one of "active", "pause", "drain"');
    spec.availability = a;
  }
  if (flags.role !== undefined) {
    const r = ROLE[flags.role.toLowerCase()];
    if (r === undefined) throw invalidFlag('role', flags.role, 'must be one of "worker", "manager"');
    spec.desiredRole = r;
  }
  spec.annotations ??= codec.Annotations.fromPartial({});
  const labels = { ...spec.annotations.labels };
  for (const key of flags.labelRm ?? []) {
    if (!(key in labels)) throw usageError(`key ${oneLine(key)} doesn't exist in node's labels`);
    delete labels[key];
  }
  spec.annotations.labels = { ...labels, ...kvToMap('label-add', flags.labelAdd ?? []) };
  return spec;
}

/** `node promote`/`demote` as a role change; `undefined` when the node already has that role (Docker prints a note and moves on). */
export function roleChange(current: NodeSpec, role: NodeSpec_Role): NodeSpec | undefined {
  if (current.desiredRole === role) return undefined;
  return { ...codec.NodeSpec.fromPartial(structuredClone(current)), desiredRole: role };
}
