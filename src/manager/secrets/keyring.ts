import type { Cluster, Secret } from '../../gen/index.js';
import type { SecretSealer } from '../store/index.js';
import { AesGcmSealer } from './aes-gcm-sealer.js';
import { SECRET_CONTEXT, unwrapDataKey, wrapNewDataKey } from './data-key.js';

/**
 * Seals secrets for the Raft log and opens them for the dispatcher, with
 * the data key of the cluster object it is given. The unwrapped key lives
 * only in this object's memory; it is re-derived when the cluster's wrapped
 * key changes (a new cluster after force-new-cluster, a later rotation).
 */
export class SecretKeyring {
  private cached: { wrapped: Uint8Array; sealer: SecretSealer } | undefined;

  constructor(private readonly random: (bytes: number) => Uint8Array) {}

  /** The sealer for the cluster's data key; undefined when the cluster has none yet. */
  sealerFor(cluster: Cluster): SecretSealer | undefined {
    const wrapped = cluster.secretsDataKey;
    if (wrapped.length === 0) return undefined;
    if (this.cached && Buffer.from(this.cached.wrapped).equals(wrapped)) return this.cached.sealer;
    const dek = unwrapDataKey(cluster);
    if (!dek) return undefined;
    const sealer = new AesGcmSealer(dek, SECRET_CONTEXT, this.random);
    this.cached = { wrapped, sealer };
    return sealer;
  }

  /** The cluster with a data key: itself when it has one, else a copy with a new wrapped key (to propose). */
  withDataKey(cluster: Cluster): { cluster: Cluster; created: boolean } {
    if (cluster.secretsDataKey.length > 0) return { cluster, created: false };
    return { cluster: { ...cluster, secretsDataKey: wrapNewDataKey(cluster, this.random) }, created: true };
  }

  /** The secret as stored, with its data sealed. */
  seal(cluster: Cluster, secret: Secret): Secret {
    const sealer = this.sealerFor(cluster);
    if (!sealer) throw new Error('the cluster has no secrets data key yet');
    return { ...secret, spec: secret.spec ? { ...secret.spec, data: sealer.seal(secret.spec.data) } : undefined };
  }

  /** The secret with its data opened, for a node that runs a task using it; never for the Control API. */
  open(cluster: Cluster | undefined, secret: Secret): Secret {
    const sealer = cluster ? this.sealerFor(cluster) : undefined;
    if (!sealer) throw new Error(`secret ${secret.id} cannot be opened: the cluster has no secrets data key`);
    return { ...secret, spec: secret.spec ? { ...secret.spec, data: sealer.open(secret.spec.data) } : undefined };
  }
}
