import { randomInt } from 'node:crypto';
import { generateName } from '../common/generated-names.js';

/** A random Docker-style name (adjective_surname) for a service created without --name. */
export function randomServiceName(): string {
  return generateName(randomInt);
}
