import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codec, type Cluster } from '../../gen/index.js';
import { AesGcmSealer, SealError, SecretKeyring, unwrapDataKey, wrapNewDataKey } from './index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const cluster = (caKey = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n', id = 'cluster-a'): Cluster =>
  codec.Cluster.fromPartial({ id, rootCa: { caCertPem: 'cert', caKeyPem: text(caKey) } });
const contains = (hay: Uint8Array, needle: Uint8Array): boolean => Buffer.from(hay).includes(Buffer.from(needle));

describe('AesGcmSealer', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and the ciphertext does not contain the plaintext', () => {
    const sealer = new AesGcmSealer(key, 'ctx');
    const plain = text('hunter2-hunter2-hunter2');
    const sealed = sealer.seal(plain);
    expect(contains(sealed, plain)).toBe(false);
    expect(sealed.length).toBe(plain.length + 1 + 12 + 16);
    expect(Buffer.from(sealer.open(sealed)).toString()).toBe('hunter2-hunter2-hunter2');
  });

  it('uses a fresh nonce each time, so equal secrets do not look equal', () => {
    const sealer = new AesGcmSealer(key, 'ctx');
    expect(Buffer.from(sealer.seal(text('same'))).equals(sealer.seal(text('same')))).toBe(false);
  });

  it('refuses a tampered payload, another key and another context without echoing data', () => {
    const sealer = new AesGcmSealer(key, 'ctx');
    const sealed = sealer.seal(text('topsecret'));
    const flipped = Uint8Array.from(sealed);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(() => sealer.open(flipped)).toThrow(SealError);
    expect(() => new AesGcmSealer(randomBytes(32), 'ctx').open(sealed)).toThrow(/failed authentication/);
    expect(() => new AesGcmSealer(key, 'other').open(sealed)).toThrow(SealError);
    expect(() => sealer.open(text('topsecret-in-plain-text-xxxxxxxxxxx'))).toThrow(/not a sealed payload/);
  });

  it('opens an empty payload', () => {
    const sealer = new AesGcmSealer(key, 'ctx');
    expect(sealer.open(sealer.seal(new Uint8Array())).length).toBe(0);
  });
});

describe('cluster data key', () => {
  it('is wrapped under a key derived from the CA key and cluster ID', () => {
    const c = cluster();
    const dek = randomBytes(32);
    const wrapped = wrapNewDataKey(c, (n) => (n === 32 ? dek : randomBytes(n)));
    expect(contains(wrapped, dek)).toBe(false);
    expect(Buffer.from(unwrapDataKey({ ...c, secretsDataKey: wrapped }) ?? []).equals(dek)).toBe(true);
    // Another CA key or another cluster ID cannot unwrap it.
    expect(() => unwrapDataKey({ ...cluster('another key'), secretsDataKey: wrapped })).toThrow(SealError);
    expect(() => unwrapDataKey({ ...cluster(undefined, 'cluster-b'), secretsDataKey: wrapped })).toThrow(SealError);
  });

  it('cannot be derived without the CA key', () => {
    expect(() => wrapNewDataKey(cluster(''), randomBytes)).toThrow(/no root CA key/);
  });
});

describe('SecretKeyring', () => {
  it('seals a secret for the store and opens it for the dispatcher, on any manager', () => {
    const leader = new SecretKeyring(randomBytes);
    const { cluster: keyed, created } = leader.withDataKey(cluster());
    expect(created).toBe(true);
    expect(leader.withDataKey(keyed)).toEqual({ cluster: keyed, created: false });
    const secret = codec.Secret.fromPartial({ id: 's1', spec: { annotations: { name: 'db' }, data: text('p@ssw0rd-value') } });
    const stored = leader.seal(keyed, secret);
    expect(contains(codec.Secret.encode(stored), text('p@ssw0rd-value'))).toBe(false);
    // A new leader after failover holds only the replicated cluster object.
    const next = new SecretKeyring(randomBytes);
    expect(Buffer.from(next.open(keyed, stored).spec?.data ?? []).toString()).toBe('p@ssw0rd-value');
  });

  it('says so when the cluster has no data key', () => {
    const keyring = new SecretKeyring(randomBytes);
    expect(keyring.sealerFor(cluster())).toBeUndefined();
    expect(() => keyring.open(cluster(), codec.Secret.fromPartial({ id: 's1' }))).toThrow(/no secrets data key/);
  });
});
