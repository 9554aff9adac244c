// depends_on must form no cycle: a cycle would make the orchestrator wait
// forever, so it is refused when the file is loaded (as docker compose does).
import { compareStrings } from './values.js';

/** One dependency cycle as service names (`a → b → a`), or undefined. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const s = state.get(n);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of [...(edges.get(n) ?? [])].sort(compareStrings)) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...edges.keys()].sort(compareStrings)) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
