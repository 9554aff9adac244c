import { randomInt } from 'node:crypto';

// Our own short lists (Docker's generator is where the idea comes from):
// adjectives and scientists, joined by an underscore.
const ADJECTIVES = ['agile', 'bold', 'brave', 'calm', 'clever', 'eager', 'fervent', 'gentle', 'happy', 'keen', 'lucid', 'merry', 'nimble', 'patient', 'quiet', 'serene', 'steady', 'swift', 'vivid', 'wise'];
const SURNAMES = ['babbage', 'curie', 'darwin', 'euler', 'faraday', 'galois', 'hopper', 'kepler', 'lamport', 'liskov', 'lovelace', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak', 'yalow', 'zuse'];

/** A random Docker-style name (adjective_surname) for a service created without --name. */
export function randomServiceName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)] ?? 'steady'}_${SURNAMES[randomInt(SURNAMES.length)] ?? 'turing'}`;
}
