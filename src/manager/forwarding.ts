import { RpcError } from '../rpc/index.js';

/**
 * How a call forwarded to the leader failed, as the follower must answer it:
 * - `unsent`: the leader could not be reached at all, so the call never
 *   left; it is safe to send again to whoever leads next.
 * - `cut`: the connection failed or timed out mid-call; the leader may have
 *   made the change, so it must not be sent again.
 * - `answer`: the leader answered with an error; pass it on as it is.
 */
export type ForwardFailure = 'unsent' | 'cut' | 'answer';

const UNSENT = /(^|: )(No connection established|Failed to start HTTP\/2 stream|failed to connect|connect E[A-Z]+)/i;
const CUT = /(^|: )(Connection dropped|Write (error|failed)|No status information received|Received RST_STREAM)/i;

/**
 * Classifies a forwarded call's failure. grpc-js reports transport failures
 * as UNAVAILABLE with its own wording, and src/rpc prefixes them with
 * `cannot reach ADDR:`; relayed as they are, they would read like a failure
 * of the caller's own connection (the CLI would say the local daemon is down).
 */
export function classifyForwardFailure(error: RpcError): ForwardFailure {
  if (error.kind === 'deadline-exceeded' || error.kind === 'cancelled') return 'cut';
  if (error.kind !== 'unavailable') return 'answer';
  if (UNSENT.test(error.message)) return 'unsent';
  if (CUT.test(error.message) || error.message.startsWith('cannot reach ')) return 'cut';
  return 'answer';
}
