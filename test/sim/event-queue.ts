// A binary min-heap of timed events; ties broken by insertion order so a
// seed always replays the same interleaving.

interface Item<T> {
  atMs: number;
  seq: number;
  value: T;
}

/** Events ordered by (time, insertion). */
export class EventQueue<T> {
  private heap: Item<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(atMs: number, value: T): void {
    const item = { atMs, seq: this.seq++, value };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!parent || !less(item, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = item;
  }

  pop(): { atMs: number; value: T } | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best: Item<T> = last;
        const li = h[l];
        const ri = h[r];
        if (li && less(li, best)) {
          m = l;
          best = li;
        }
        if (ri && less(ri, best)) {
          m = r;
          best = ri;
        }
        if (m === i) break;
        h[i] = best;
        i = m;
      }
      h[i] = last;
    }
    return { atMs: top.atMs, value: top.value };
  }
}

function less<T>(a: Item<T>, b: Item<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
