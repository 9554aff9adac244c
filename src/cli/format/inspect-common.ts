import type { Meta } from '../../gen/index.js';
import { goTimeJson } from './human.js';

/** Milliseconds (ours) to nanoseconds (Docker's JSON durations). */
export function ns(ms: number): number {
  return ms * 1_000_000;
}

/** Go's `omitempty`: drops keys whose value is undefined, "", 0, false, or an empty array or object. */
export function omitEmpty<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '' || v === 0 || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

/** A map as Go marshals it: keys sorted. */
export function sortedMap(map: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(map ?? {}).sort()) out[k] = map?.[k] ?? '';
  return out;
}

/** The embedded `Version`, `CreatedAt`, `UpdatedAt` of every swarm object. */
export function metaFields(meta: Meta | undefined): { Version: { Index?: number }; CreatedAt: string; UpdatedAt: string } {
  const index = meta?.version?.index ?? 0;
  return {
    Version: index === 0 ? {} : { Index: index },
    CreatedAt: goTimeJson(meta?.createdAtMs ?? 0),
    UpdatedAt: goTimeJson(meta?.updatedAtMs ?? 0),
  };
}

/** Lower-case enum names as Docker spells them in JSON (`STOP_FIRST` → `stop-first` when dashed). */
export function lower(value: string, dashed = false): string {
  const l = value.toLowerCase();
  return dashed ? l.replace(/_/g, '-') : l;
}
