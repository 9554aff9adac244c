// A binary min-heap of node ordinals under a caller's order. Only the top's
// key changes while a group is placed, so sifting the top down is all the
// maintenance it needs.

/** A min-heap of small integers ordered by `less`. */
export class OrdinalHeap {
  private readonly items: number[];

  /** Heapifies `items` in O(n). */
  constructor(items: number[], private readonly less: (a: number, b: number) => boolean) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** How many ordinals remain. */
  get size(): number {
    return this.items.length;
  }

  /** The best ordinal, or -1 when empty. */
  peek(): number {
    return this.items[0] ?? -1;
  }

  /** Drops the best ordinal. */
  pop(): void {
    const last = this.items.pop();
    if (last === undefined || this.items.length === 0) return;
    this.items[0] = last;
    this.siftDown(0);
  }

  /** Restores order after the top's key got worse (it received a task). */
  topChanged(): void {
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const item = items[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.less(items[right] as number, items[left] as number)) child = right;
      if (!this.less(items[child] as number, item)) break;
      items[i] = items[child] as number;
      i = child;
    }
    items[i] = item;
  }
}
