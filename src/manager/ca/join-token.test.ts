import { describe, expect, it } from 'vitest';
import { caDigest, createRootCA } from './certificates.js';
import { digestToBase36, generateJoinToken, parseJoinToken, tokensMatch } from './join-token.js';

describe('join tokens', () => {
  it('pin the root CA by its digest and carry a random secret', async () => {
    const ca = await createRootCA();
    const token = generateJoinToken(caDigest(ca.certPem));
    expect(token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    const parsed = parseJoinToken(token);
    expect(parsed.ok && parsed.value.caDigest).toBe(digestToBase36(caDigest(ca.certPem)));
    expect(generateJoinToken(caDigest(ca.certPem))).not.toBe(token);
  });

  it('reject malformed tokens with a reason', () => {
    expect(parseJoinToken('hello')).toEqual({ ok: false, error: expect.stringMatching(/^invalid join token: expected SWMTKN-1/) });
    expect(parseJoinToken(`SWMTKN-2-${'a'.repeat(50)}-${'b'.repeat(25)}`)).toEqual({ ok: false, error: 'invalid join token: unsupported token version 2' });
    expect(parseJoinToken(`SWMTKN-1-${'a'.repeat(49)}-${'b'.repeat(25)}`)).toEqual({ ok: false, error: 'invalid join token: malformed CA digest' });
  });

  it('compare in constant time and only equal tokens match', () => {
    const t = generateJoinToken('ab'.repeat(32));
    expect(tokensMatch(t, t)).toBe(true);
    expect(tokensMatch(` ${t}\n`, t)).toBe(true);
    expect(tokensMatch(t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a'), t)).toBe(false);
  });
});
