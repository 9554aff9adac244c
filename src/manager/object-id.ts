import { randomBytes } from 'node:crypto';
import { objectIdFromBytes } from '../common/ids.js';

/** A Docker-style 25-character object ID. */
export function newObjectId(): string {
  return objectIdFromBytes(randomBytes(32));
}
