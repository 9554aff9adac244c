// AES-256-GCM for secret payloads and for the wrapped data key. The format
// is versioned so a later key rotation or algorithm change can tell old
// ciphertexts from new ones without guessing.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assert } from '../../common/assert.js';
import type { SecretSealer } from '../store/index.js';

/** First byte of every sealed payload: format 1 = AES-256-GCM, 12-byte nonce, 16-byte tag. */
const FORMAT_V1 = 1;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

/** A sealed payload that cannot be opened: wrong key, tampered with, or not sealed at all. */
export class SealError extends Error {
  override name = 'SealError';
}

/**
 * Seals with one 256-bit key. `context` is authenticated but not stored
 * (GCM's additional data), so a payload sealed for one purpose (a secret)
 * does not open as another (the data key).
 */
export class AesGcmSealer implements SecretSealer {
  private readonly key: Buffer;

  constructor(
    key: Uint8Array,
    private readonly context: string,
    private readonly nonce: (bytes: number) => Uint8Array = randomBytes,
  ) {
    assert(key.length === KEY_BYTES, `an AES-256 key is ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  seal(plain: Uint8Array): Uint8Array {
    const nonce = Buffer.from(this.nonce(NONCE_BYTES));
    assert(nonce.length === NONCE_BYTES, 'nonce source returned the wrong length');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(this.context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.of(FORMAT_V1), nonce, body, cipher.getAuthTag()]));
  }

  open(sealed: Uint8Array): Uint8Array {
    if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) throw new SealError('not a sealed payload of a known format');
    const buf = Buffer.from(sealed);
    const nonce = buf.subarray(1, HEADER_BYTES);
    const tag = buf.subarray(buf.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(this.context));
    decipher.setAuthTag(tag);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES)), decipher.final()]));
    } catch {
      // Never echo the payload: it may be a secret sealed with another key.
      throw new SealError('sealed payload failed authentication (wrong key or tampered with)');
    }
  }
}

/** Whether `data` carries the sealed format's header (cheap check, not a proof). */
export function looksSealed(data: Uint8Array): boolean {
  return data.length >= HEADER_BYTES + TAG_BYTES && data[0] === FORMAT_V1;
}

export { KEY_BYTES as DATA_KEY_BYTES };
