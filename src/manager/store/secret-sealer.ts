// Port for encrypting secret data at rest (DESIGN.md "Security"). Not wired
// yet: the store keeps Secret.spec.data exactly as proposed, so until the
// sealer issue lands secrets are NOT encrypted in the Raft log or snapshots.
/** Seals and opens secret payloads with the cluster's data key. */
export interface SecretSealer {
  /** Ciphertext of `plain`; deterministic output is not required. */
  seal(plain: Uint8Array): Uint8Array;
  /** The plaintext of `sealed`, or throws if it was tampered with. */
  open(sealed: Uint8Array): Uint8Array;
}
