// The simulated application: a key-value store with write and
// compare-and-set, applied from the Raft log, snapshotted as JSON.

/** A state-machine command carried in a log entry. */
export type KvCommand =
  | { kind: 'write'; opId: number; key: string; value: string }
  | { kind: 'cas'; opId: number; key: string; expected: string | null; value: string };

/** Result of applying a command. */
export interface KvResult {
  opId: number;
  ok: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Serialize a command for a log entry. */
export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

/** Parse a log entry's command; undefined for no-ops and foreign data. */
export function decodeCommand(data: Uint8Array): KvCommand | undefined {
  if (data.length === 0) return undefined;
  return JSON.parse(dec.decode(data)) as KvCommand;
}

/** The replicated map. */
export class KvStore {
  private map = new Map<string, string>();

  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  apply(c: KvCommand): KvResult {
    switch (c.kind) {
      case 'write':
        this.map.set(c.key, c.value);
        return { opId: c.opId, ok: true };
      case 'cas': {
        const ok = this.get(c.key) === c.expected;
        if (ok) this.map.set(c.key, c.value);
        return { opId: c.opId, ok };
      }
    }
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.map.entries()].sort()));
  }

  restore(data: Uint8Array): void {
    this.map = new Map(data.length === 0 ? [] : (JSON.parse(dec.decode(data)) as Array<[string, string]>));
  }

  /** A canonical rendering, to compare replicas. */
  digest(): string {
    return JSON.stringify([...this.map.entries()].sort());
  }
}
