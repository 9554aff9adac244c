import { codec, type ConfigReference, type SecretReference } from '../../gen/index.js';
import { invalidFlag } from './flag-error.js';

/** What `--secret`/`--config` name: the object and the file it becomes in the container. */
export interface FileRef {
  source: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/**
 * `name` or `source=name,target=path,uid=,gid=,mode=0440` as Docker parses
 * secrets and configs; mode defaults to 0444, uid and gid to "0", the target
 * to the source name. Mode accepts Go's base prefixes (0440 octal, 0x.. hex).
 */
export function parseFileRef(flag: string, value: string): FileRef {
  const ref: FileRef = { source: '', target: '', uid: '0', gid: '0', mode: 0o444 };
  const bad = (why: string): Error => invalidFlag(flag, value, why);
  const fields = value.split(',');
  if (fields.length === 1 && !value.includes('=')) {
    if (value === '') throw bad('empty name; use NAME or source=NAME,target=PATH');
    return { ...ref, source: value, target: value };
  }
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw bad(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    switch (key) {
      case 'source':
      case 'src':
        ref.source = val;
        break;
      case 'target':
        ref.target = val;
        break;
      case 'uid':
        ref.uid = val;
        break;
      case 'gid':
        ref.gid = val;
        break;
      case 'mode': {
        const mode = parseGoUint(val);
        if (mode === undefined || mode > 0xffffffff) throw bad(`invalid mode specified: ${val}; use octal permissions such as 0440`);
        ref.mode = mode;
        break;
      }
      default:
        throw bad(`invalid field in ${flag} request: ${key}; use source, target, uid, gid or mode`);
    }
  }
  if (ref.source === '') throw bad('source is required; add source=NAME');
  if (ref.target === '') ref.target = ref.source;
  return ref;
}

/** Go's strconv.ParseUint(s, 0, ...): leading 0 octal, 0o octal, 0x hex, 0b binary. */
function parseGoUint(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO][0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB][01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[1-9]\d*$/.test(t)) return Number(t);
  return undefined;
}

/** A secret reference by name; the lead resolves `secretId` against the cluster. */
export function secretReference(ref: FileRef): SecretReference {
  return codec.SecretReference.fromPartial({ secretName: ref.source, file: { name: ref.target, uid: ref.uid, gid: ref.gid, mode: ref.mode } });
}

/** A config reference by name; the lead resolves `configId` against the cluster. */
export function configReference(ref: FileRef): ConfigReference {
  return codec.ConfigReference.fromPartial({ configName: ref.source, file: { name: ref.target, uid: ref.uid, gid: ref.gid, mode: ref.mode } });
}
