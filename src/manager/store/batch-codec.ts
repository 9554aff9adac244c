// The bytes a Raft entry carries: one encoded StoreBatch.
import { codec, type StoreAction, type StoreBatch } from '../../gen/index.js';
import type { Result } from '../../common/result.js';
import { err, ok } from '../../common/result.js';
import { type Tagged, wrap } from './kinds.js';

/** Encodes a batch for a Raft proposal. */
export function encodeBatch(batch: StoreBatch): Uint8Array {
  return codec.StoreBatch.encode(batch);
}

/** Decodes a committed entry; a decoding failure means a corrupt log and is reported, not thrown. */
export function decodeBatch(bytes: Uint8Array): Result<StoreBatch, string> {
  try {
    return ok(codec.StoreBatch.decode(bytes));
  } catch (e) {
    return err(`store: undecodable batch: ${(e as Error).message}`);
  }
}

/** A StoreAction for one object. */
export function storeAction(kind: StoreAction['kind'], tagged: Tagged): StoreAction {
  return { kind, object: wrap(tagged) };
}
