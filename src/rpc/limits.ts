/** Largest message a node accepts or sends: bounds memory per call. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Default deadline for a unary call; every unary call has one. */
export const DEFAULT_DEADLINE_MS = 10_000;

/** Keepalive pings detect a dead peer on an idle connection within ~15 s. */
export const KEEPALIVE_TIME_MS = 10_000;
export const KEEPALIVE_TIMEOUT_MS = 5_000;

/** Channel options shared by clients and servers. */
export const channelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
} as const;

/** Servers must tolerate the clients' keepalive pings instead of sending GOAWAY. */
export const serverOptions = {
  ...channelOptions,
  'grpc.http2.min_ping_interval_without_data_ms': KEEPALIVE_TIME_MS / 2,
  'grpc.http2.max_ping_strikes': 0,
} as const;
