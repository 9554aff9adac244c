import { codec, type ConfigSpec, type SecretSpec } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { invalidFlag } from './flag-error.js';
import { kvToMap } from './kv.js';

/** Swarmkit's limit on a secret's payload. */
export const MAX_SECRET_BYTES = 500 * 1024;
/** Swarmkit's limit on a config's payload. */
export const MAX_CONFIG_BYTES = 1000 * 1024;

/** The options commander hands `secret create` / `config create`. */
export interface DataObjectFlags {
  label?: string[];
  driver?: string;
  templateDriver?: string;
}

function checkName(kind: 'secret' | 'config', name: string): void {
  if (name.length > 64 || !/^[a-zA-Z0-9](?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/.test(name)) {
    throw usageError(`invalid ${kind} name ${JSON.stringify(name)}: only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]`);
  }
}

function checkData(kind: 'secret' | 'config', data: Uint8Array, max: number): void {
  if (data.length === 0 || data.length > max) throw usageError(`${kind} data must be larger than 0 and less than ${max / 1024} KB (got ${data.length} bytes)`);
}

function checkTemplating(flags: DataObjectFlags): void {
  if (flags.templateDriver !== undefined && flags.templateDriver !== '') throw invalidFlag('template-driver', flags.templateDriver, 'templated secrets and configs are not supported by shoal; remove --template-driver');
}

/** `secret create NAME FILE|-`: the spec to submit, data read by the caller. */
export function buildSecretSpec(name: string, data: Uint8Array, flags: DataObjectFlags): SecretSpec {
  checkName('secret', name);
  checkData('secret', data, MAX_SECRET_BYTES);
  checkTemplating(flags);
  return codec.SecretSpec.fromPartial({
    annotations: { name, labels: kvToMap('label', flags.label ?? []) },
    data,
    ...(flags.driver === undefined || flags.driver === '' ? {} : { driver: { name: flags.driver } }),
  });
}

/** `config create NAME FILE|-`: the spec to submit, data read by the caller. */
export function buildConfigSpec(name: string, data: Uint8Array, flags: DataObjectFlags): ConfigSpec {
  checkName('config', name);
  checkData('config', data, MAX_CONFIG_BYTES);
  checkTemplating(flags);
  return codec.ConfigSpec.fromPartial({ annotations: { name, labels: kvToMap('label', flags.label ?? []) }, data });
}
