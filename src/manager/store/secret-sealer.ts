// Port for encrypting secret data at rest (DESIGN.md "Security"). The store
// keeps Secret.spec.data exactly as proposed: the Control API seals it before
// proposing (src/manager/secrets), so the Raft log and snapshots only ever
// hold ciphertext, and the dispatcher opens it for the nodes that need it.
/** Seals and opens secret payloads with the cluster's data key. */
export interface SecretSealer {
  /** Ciphertext of `plain`; deterministic output is not required. */
  seal(plain: Uint8Array): Uint8Array;
  /** The plaintext of `sealed`, or throws if it was tampered with. */
  open(sealed: Uint8Array): Uint8Array;
}
