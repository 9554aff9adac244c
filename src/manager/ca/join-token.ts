import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../../common/result.js';

/** Join tokens look like Docker's: SWMTKN-1-<CA digest, base 36>-<secret>. */
const PREFIX = 'SWMTKN';
const TOKEN_VERSION = '1';
const SECRET_LENGTH = 25;
const DIGEST_LENGTH = 50;

/** The parts of a join token. */
export interface JoinToken {
  /** SHA-256 of the root CA certificate (DER) in base 36, zero-padded to 50 characters. */
  caDigest: string;
  secret: string;
}

/** Base 36 of a SHA-256 digest (hex), as Docker writes it in tokens. */
export function digestToBase36(hexDigest: string): string {
  return BigInt(`0x${hexDigest}`).toString(36).padStart(DIGEST_LENGTH, '0');
}

/** A new token for a cluster whose root CA has this SHA-256 (hex) digest. */
export function generateJoinToken(caDigestHex: string, random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(SECRET_LENGTH);
  let secret = '';
  for (let i = 0; i < SECRET_LENGTH; i++) secret += ((bytes[i] ?? 0) % 36).toString(36);
  return `${PREFIX}-${TOKEN_VERSION}-${digestToBase36(caDigestHex)}-${secret}`;
}

/** Parses a token a user pasted; the error says what is wrong with it. */
export function parseJoinToken(token: string): Result<JoinToken, string> {
  const parts = token.trim().split('-');
  if (parts.length !== 4 || parts[0] !== PREFIX) return err('invalid join token: expected SWMTKN-1-<digest>-<secret>, as printed by "shoal swarm join-token"');
  if (parts[1] !== TOKEN_VERSION) return err(`invalid join token: unsupported token version ${parts[1] ?? ''}`);
  const [, , caDigest = '', secret = ''] = parts;
  if (!/^[0-9a-z]{50}$/.test(caDigest)) return err('invalid join token: malformed CA digest');
  if (!/^[0-9a-z]{25}$/.test(secret)) return err('invalid join token: malformed secret');
  return ok({ caDigest, secret });
}

/** Constant-time comparison of a presented token with the cluster's current one. */
export function tokensMatch(presented: string, current: string): boolean {
  const a = createHash('sha256').update(presented.trim()).digest();
  const b = createHash('sha256').update(current).digest();
  return timingSafeEqual(a, b);
}
