import { describe, expect, it } from 'vitest';
import { RpcError } from '../rpc/index.js';
import { classifyForwardFailure } from './leader-forwarding.js';

// The RPC client marks what got no answer (src/rpc/error-detail.test.ts checks it over a socket);
// the wording of the messages no longer matters.
const unsent = { kind: 'transport', sent: 'unsent' } as const;
const maybeSent = { kind: 'transport', sent: 'maybe-sent' } as const;

describe('classifyForwardFailure', () => {
  it('calls a leader that could not be reached at all unsent (safe to send to the next leader)', () => {
    expect(classifyForwardFailure(new RpcError('unavailable', 'No connection established. Last error: Error: connect ECONNREFUSED 198.51.100.11:2377', unsent))).toBe('unsent');
    expect(classifyForwardFailure(new RpcError('unavailable', 'cannot reach 198.51.100.11:2377: No connection established. Last error: null', unsent))).toBe('unsent');
    expect(classifyForwardFailure(new RpcError('unavailable', 'Failed to start HTTP/2 stream with error: ...', unsent))).toBe('unsent');
  });

  it('calls a connection lost mid-call or a timeout cut (the leader may have acted)', () => {
    expect(classifyForwardFailure(new RpcError('unavailable', 'Connection dropped', maybeSent))).toBe('cut');
    expect(classifyForwardFailure(new RpcError('unavailable', 'cannot reach 198.51.100.11:2377: Connection dropped', maybeSent))).toBe('cut');
    expect(classifyForwardFailure(new RpcError('deadline-exceeded', 'Deadline exceeded after 10.001s'))).toBe('cut');
    expect(classifyForwardFailure(new RpcError('unavailable', 'cannot reach 198.51.100.11:2377: something new', maybeSent))).toBe('cut');
  });

  it('passes the leader\'s own answers on', () => {
    expect(classifyForwardFailure(new RpcError('unavailable', 'The swarm does not have a leader.'))).toBe('answer');
    expect(classifyForwardFailure(new RpcError('not-found', 'service web not found'))).toBe('answer');
    expect(classifyForwardFailure(new RpcError('failed-precondition', 'No connection established'))).toBe('answer');
  });
});
