// An object marked `external` exists already: settings that would create it
// differently are contradictions, refused as docker/cli's loader refuses them
// ("conflicting parameters "external" and "driver" specified for network").
import { isRecord } from './values.js';

const sections: Readonly<Record<string, string>> = { networks: 'network', volumes: 'volume', secrets: 'secret', configs: 'config' };

// `name` may accompany external (it is the external object's name).
const allowed = new Set(['external', 'name']);

/** [path, message] for each key that contradicts `external: true` in one file. */
export function externalConflicts(file: unknown): [string[], string][] {
  const out: [string[], string][] = [];
  if (!isRecord(file)) return out;
  for (const [section, what] of Object.entries(sections)) {
    const defs = file[section];
    if (!isRecord(defs)) continue;
    for (const [key, def] of Object.entries(defs)) {
      if (!isRecord(def) || (def.external !== true && !isRecord(def.external))) continue;
      for (const k of Object.keys(def)) {
        if (allowed.has(k) || k.startsWith('x-')) continue;
        out.push([[section, key, k], `conflicting parameters "external" and "${k}" specified for ${what} "${key}"`]);
      }
    }
  }
  return out;
}
