import { codec, type Mount, type Mount_Type } from '../../gen/index.js';
import { invalidFlag } from './flag-error.js';
import { parseRamBytes } from './bytes.js';

const TYPES: Record<string, Mount_Type> = { bind: 'BIND', volume: 'VOLUME', tmpfs: 'TMPFS' };
// Options Docker accepts that shoal cannot honour: refused rather than silently dropped.
const UNSUPPORTED = new Set(['bind-propagation', 'bind-recursive', 'bind-nonrecursive', 'bind-create-src', 'volume-subpath', 'volume-nocopy', 'volume-label', 'volume-driver', 'volume-opt', 'image-subpath']);
const BOOLEAN_WITHOUT_VALUE = new Set(['readonly', 'ro', ...UNSUPPORTED]);

function mountError(flag: string, value: string, why: string): Error {
  return invalidFlag(flag, value, why);
}

function parseBool(flag: string, value: string, key: string, val: string | undefined): boolean {
  if (val === undefined) return true;
  if (val === '1' || val.toLowerCase() === 'true') return true;
  if (val === '0' || val.toLowerCase() === 'false') return false;
  throw mountError(flag, value, `invalid value for '${key}': invalid boolean value (${JSON.stringify(val)}): must be one of "true", "1", "false", or "0" (default "true")`);
}

/**
 * One `--mount` value (`type=bind|volume|tmpfs,source=,target=,readonly,tmpfs-size=,tmpfs-mode=`)
 * as Docker parses it; the type defaults to volume. Relative bind sources are
 * refused because the path would be resolved on another machine.
 */
export function parseMount(flag: string, value: string): Mount {
  const text = value.trim();
  if (text === '') throw mountError(flag, value, 'value is empty; use type=bind|volume|tmpfs,source=...,target=...');
  let type: Mount_Type = 'VOLUME';
  let source = '';
  let target = '';
  let readOnly = false;
  let tmpfsSizeBytes = 0;
  let tmpfsMode = 0;
  let tmpfsOption = '';
  for (const field of text.split(',')) {
    const eq = field.indexOf('=');
    const rawKey = eq < 0 ? field : field.slice(0, eq);
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (rawKey.trim() !== rawKey) throw mountError(flag, value, `invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
    if (val !== undefined) {
      if (val.trim() === '') throw mountError(flag, value, `invalid value for '${rawKey}': value is empty`);
      if (val.trim() !== val) throw mountError(flag, value, `invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
    }
    const key = rawKey.toLowerCase();
    if (val === undefined && !BOOLEAN_WITHOUT_VALUE.has(key)) throw mountError(flag, value, `invalid field '${field}' must be a key=value pair`);
    if (UNSUPPORTED.has(key)) throw mountError(flag, value, `mount option '${key}' is not supported by shoal; remove it`);
    switch (key) {
      case 'type': {
        const t = TYPES[(val ?? '').toLowerCase()];
        if (t === undefined) throw mountError(flag, value, `invalid mount type '${val ?? ''}': use bind, volume or tmpfs`);
        type = t;
        break;
      }
      case 'source':
      case 'src':
        source = val ?? '';
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val ?? '';
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(flag, value, key, val);
        break;
      case 'consistency':
        break; // Only meaningful on macOS; Docker ignores it on Linux too.
      case 'tmpfs-size': {
        const size = parseRamBytes(val ?? '');
        if (size === undefined) throw mountError(flag, value, `invalid value for tmpfs-size: ${val ?? ''}; use a size such as 64m`);
        tmpfsSizeBytes = size;
        tmpfsOption = key;
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val ?? '')) throw mountError(flag, value, `invalid value for tmpfs-mode: ${val ?? ''}; use octal permissions such as 1777`);
        tmpfsMode = parseInt(val ?? '0', 8);
        tmpfsOption = key;
        break;
      }
      default:
        throw mountError(flag, value, `unknown option '${key}' in '${field}'`);
    }
  }
  if (target === '') throw mountError(flag, value, 'target is required; add target=/path/in/container');
  if (tmpfsOption !== '' && type !== 'TMPFS') throw mountError(flag, value, `cannot mix 'tmpfs-*' options with mount type '${type.toLowerCase()}'`);
  if (type === 'BIND') {
    if (source === '') throw mountError(flag, value, 'source is required for bind mounts; add source=/path/on/host');
    if (!source.startsWith('/')) throw mountError(flag, value, `bind source path must be absolute: ${source}`);
  }
  if (type === 'TMPFS' && source !== '') throw mountError(flag, value, 'source must not be given for tmpfs mounts');
  if (!target.startsWith('/')) throw mountError(flag, value, `target must be an absolute path: ${target}`);
  return codec.Mount.fromPartial({ type, source, target, readOnly, tmpfsSizeBytes, tmpfsMode });
}
