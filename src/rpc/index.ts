// gRPC plumbing shared by every component: mutual-TLS servers and typed
// clients over the generated service definitions (src/gen/services.ts).
export { RpcServer, type CallContext, type Handler, type Handlers, type Authorizer, type RpcServerOptions } from './server.js';
export { createClient, type RpcClient, type ClientOptions, type CallOpts } from './client.js';
export { RpcError, type RpcErrorKind, type RpcErrorDetail } from './errors.js';
export { peerFromCertificate, serverCredentials, clientCredentials, bootstrapCredentials, type TlsMaterial, type Peer, type ServerExpectation } from './credentials.js';
export { proxyHandlers, callHandler } from './proxy.js';
export { withRetry, type RetryPolicy } from './retry.js';
export { DEFAULT_DEADLINE_MS, MAX_MESSAGE_BYTES } from './limits.js';
