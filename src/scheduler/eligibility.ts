// One node against one service's placement, for the orchestrators (global
// services follow every node whose attributes satisfy the constraints).
import type { Node, Service } from '../gen/index.js';
import type { NodeId } from '../common/ids.js';
import { validatePlacement } from './constraint.js';
import { satisfies, supportsPlatform } from './filters.js';
import { describeNode, placeholderEntry } from './node-entry.js';

/** Whether the node satisfies the service's constraints and platforms (not availability or resources). */
export function nodeSatisfiesPlacement(node: Node, service: Service): boolean {
  const placement = service.spec?.task?.placement;
  const parsed = validatePlacement(placement);
  if (!parsed.ok) return false;
  const entry = placeholderEntry(0, node.id as NodeId);
  describeNode(entry, node);
  return parsed.value.constraints.every((c) => satisfies(entry, c)) && supportsPlatform(entry, placement?.platforms ?? []);
}
