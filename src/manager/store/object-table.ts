// One kind's objects, by ID and by name. Names index to sets because node
// hostnames may repeat; uniqueness, where Docker wants it, is checked by the
// store before writing.
import type { AnyObject } from './kinds.js';

/** Objects of one kind, indexed by ID and by name. */
export class ObjectTable<T extends AnyObject> {
  private readonly byId = new Map<string, T>();
  private readonly byName = new Map<string, Set<string>>();

  constructor(private readonly nameOf: (object: T) => string) {}

  /** How many objects the table holds. */
  get size(): number {
    return this.byId.size;
  }

  /** The object with this exact ID. */
  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** IDs of the objects with this exact name. */
  idsNamed(name: string): ReadonlySet<string> {
    return this.byName.get(name) ?? EMPTY;
  }

  /** Inserts or replaces the object under its ID, keeping the name index true. */
  put(object: T): void {
    const previous = this.byId.get(object.id);
    if (previous !== undefined) this.unindexName(previous);
    this.byId.set(object.id, object);
    const name = this.nameOf(object);
    if (name === '') return;
    let ids = this.byName.get(name);
    if (ids === undefined) this.byName.set(name, (ids = new Set()));
    ids.add(object.id);
  }

  /** Removes the object with this ID, returning it. */
  delete(id: string): T | undefined {
    const previous = this.byId.get(id);
    if (previous === undefined) return undefined;
    this.unindexName(previous);
    this.byId.delete(id);
    return previous;
  }

  /** A live read-only view of all objects by ID (no copy). */
  asMap(): ReadonlyMap<string, T> {
    return this.byId;
  }

  /** All objects, in insertion order. */
  values(): IterableIterator<T> {
    return this.byId.values();
  }

  /**
   * Objects whose ID starts with `prefix`. A linear scan: it serves CLI
   * lookups (one per request), never the per-event paths.
   */
  withIdPrefix(prefix: string): T[] {
    const found: T[] = [];
    for (const [id, object] of this.byId) if (id.startsWith(prefix)) found.push(object);
    return found;
  }

  /** Empties the table (before a restore). */
  clear(): void {
    this.byId.clear();
    this.byName.clear();
  }

  private unindexName(object: T): void {
    const name = this.nameOf(object);
    const ids = this.byName.get(name);
    if (ids === undefined) return;
    ids.delete(object.id);
    if (ids.size === 0) this.byName.delete(name);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
