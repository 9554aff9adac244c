// The cluster's secrets data key (DEK) and the key that wraps it (KEK).
//
//   secret data ──AES-256-GCM(DEK)──▶ Secret.spec.data in Raft (log, snapshots)
//   DEK ──AES-256-GCM(KEK)──▶ Cluster.secretsDataKey in Raft
//   KEK = HKDF-SHA256(root CA private key, salt = cluster ID)
//
// Every manager holds the root CA key (it signs node certificates), so
// every manager can derive the KEK and the leader can open secrets after a
// failover, while neither the DEK nor any secret is written in plaintext.
// With autolock the CA key itself is sealed under the unlock key, so the
// whole chain is locked with it (see src/manager/README.md, "Secrets at rest").
import { hkdfSync } from 'node:crypto';
import type { Cluster } from '../../gen/index.js';
import { AesGcmSealer, DATA_KEY_BYTES } from './aes-gcm-sealer.js';

/** GCM additional data: what a sealed payload is, so one kind never opens as another. */
export const SECRET_CONTEXT = 'shoal/v1 secret data';
const DATA_KEY_CONTEXT = 'shoal/v1 secrets data key';
const KEK_INFO = 'shoal/v1 secrets key-encryption key';

/** The key that wraps the data key, from the root CA's private key (PEM bytes) and the cluster ID. */
export function keyEncryptionKey(caKeyPem: Uint8Array, clusterId: string): Uint8Array {
  if (caKeyPem.length === 0) throw new Error('the cluster has no root CA key on this manager, so secrets cannot be opened here');
  return new Uint8Array(hkdfSync('sha256', caKeyPem, Buffer.from(clusterId), Buffer.from(KEK_INFO), DATA_KEY_BYTES));
}

/** A new data key wrapped for this cluster: what Cluster.secretsDataKey holds. */
export function wrapNewDataKey(cluster: Cluster, random: (bytes: number) => Uint8Array): Uint8Array {
  const dek = random(DATA_KEY_BYTES);
  return new AesGcmSealer(keyEncryptionKey(cluster.rootCa?.caKeyPem ?? new Uint8Array(), cluster.id), DATA_KEY_CONTEXT, random).seal(dek);
}

/** The cluster's data key in plaintext, for this process's memory only; undefined when none was made yet. */
export function unwrapDataKey(cluster: Cluster): Uint8Array | undefined {
  if (cluster.secretsDataKey.length === 0) return undefined;
  return new AesGcmSealer(keyEncryptionKey(cluster.rootCa?.caKeyPem ?? new Uint8Array(), cluster.id), DATA_KEY_CONTEXT).open(cluster.secretsDataKey);
}
