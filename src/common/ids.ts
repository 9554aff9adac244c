/** A nominal string or number type: a TaskId cannot be passed as a NodeId. */
export type Brand<T, Name extends string> = T & { readonly __brand: Name };

export type NodeId = Brand<string, 'NodeId'>;
export type ServiceId = Brand<string, 'ServiceId'>;
export type TaskId = Brand<string, 'TaskId'>;
export type NetworkId = Brand<string, 'NetworkId'>;
export type SecretId = Brand<string, 'SecretId'>;
export type ConfigId = Brand<string, 'ConfigId'>;
export type ClusterId = Brand<string, 'ClusterId'>;

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Docker-style object IDs are 25 lowercase base-36 characters. */
export const OBJECT_ID_LENGTH = 25;

/**
 * Builds an object ID from random bytes supplied by the caller, so pure code
 * can make IDs from its injected PRNG and the shell from crypto.
 */
export function objectIdFromBytes(bytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < OBJECT_ID_LENGTH; i++) id += ID_ALPHABET[(bytes[i % bytes.length] ?? 0) % 36];
  return id;
}
