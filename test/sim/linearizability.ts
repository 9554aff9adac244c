// A per-key linearizability checker in the style of Wing & Gong with
// Lowe's memoization (as in Porcupine). Keys are independent registers, so
// each key's history is checked alone (P-compositionality). Operations whose
// outcome the client never learned have end = Infinity: they may take effect
// at any point after they started, or never.

/** One client operation on one key, as the client saw it. */
export type Operation =
  | { kind: 'write'; key: string; value: string; startMs: number; endMs: number }
  | { kind: 'read'; key: string; result: string | null; startMs: number; endMs: number }
  | { kind: 'cas'; key: string; expected: string | null; value: string; ok: boolean | undefined; startMs: number; endMs: number };

/** Verdict for a whole history. */
export interface LinearizabilityResult {
  ok: boolean;
  /** The key whose history could not be linearized. */
  badKey?: string;
  /** Search gave up (too many states): not a violation, but not a proof. */
  inconclusive: boolean;
}

/** Bound on explored states per key before declaring the check inconclusive. */
const MAX_STATES = 200_000;

/** Check a history of operations on independent keys. */
export function checkLinearizable(ops: readonly Operation[]): LinearizabilityResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  let inconclusive = false;
  for (const [key, list] of [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = checkKey(list);
    if (r === 'inconclusive') inconclusive = true;
    else if (!r) return { ok: false, badKey: key, inconclusive };
  }
  return { ok: true, inconclusive };
}

function step(state: string | null, op: Operation): { ok: boolean; next: string | null } {
  switch (op.kind) {
    case 'write':
      return { ok: true, next: op.value };
    case 'read':
      return { ok: op.result === state, next: state };
    case 'cas': {
      const succeeds = state === op.expected;
      if (op.ok === undefined) return { ok: true, next: succeeds ? op.value : state };
      return { ok: op.ok === succeeds, next: op.ok ? op.value : state };
    }
  }
}

function checkKey(ops: Operation[]): boolean | 'inconclusive' {
  const sorted = [...ops].sort((a, b) => a.startMs - b.startMs);
  const n = sorted.length;
  const done = new Uint8Array(n);
  const seen = new Set<string>();
  let explored = 0;
  let doneCount = 0;
  // Operations that must be linearized (the client saw them finish).
  let mustRemaining = sorted.filter((o) => o.endMs !== Infinity).length;

  const search = (state: string | null): boolean | 'inconclusive' => {
    if (mustRemaining === 0) return true;
    if (++explored > MAX_STATES) return 'inconclusive';
    const memo = `${state ?? '\u0000'}|${done.join('')}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // An op may go next only if it started before every pending op ended.
    let minEnd = Infinity;
    for (let i = 0; i < n; i++) if (!done[i]) minEnd = Math.min(minEnd, sorted[i]?.endMs ?? Infinity);
    for (let i = 0; i < n; i++) {
      const op = sorted[i];
      if (!op || done[i]) continue;
      if (op.startMs > minEnd) break;
      const r = step(state, op);
      if (!r.ok) continue;
      done[i] = 1;
      doneCount++;
      if (op.endMs !== Infinity) mustRemaining--;
      const res = search(r.next);
      done[i] = 0;
      doneCount--;
      if (op.endMs !== Infinity) mustRemaining++;
      if (res !== false) return res;
    }
    return false;
  };
  return search(null);
}
