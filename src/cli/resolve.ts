import type { Node, Service } from '../gen/index.js';
import type { CliContext } from './context.js';

/** Node hostnames by ID, for task lists. */
export async function nodeNames(ctx: CliContext): Promise<Map<string, string>> {
  const { nodes } = await ctx.control().listNodes({});
  return new Map(nodes.map((n) => [n.id, n.description?.hostname || n.id]));
}

/** The nodes that are not down, for the convergence display. */
export function activeNodeIds(nodes: readonly Node[]): Set<string> {
  return new Set(nodes.filter((n) => n.status?.state !== 'DOWN').map((n) => n.id));
}

/** Service names by ID. */
export function serviceNames(services: readonly Service[]): Map<string, string> {
  return new Map(services.map((s) => [s.id, s.spec?.annotations?.name ?? s.id]));
}
