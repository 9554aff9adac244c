import { credentials, experimental, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';

/** PEM material of one node: the cluster root it trusts, and its own key pair. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Who is on the other end of a call, as proven by its certificate. */
export type Peer =
  | { kind: 'local' } // the daemon's Unix socket: the host's own administrator
  | { kind: 'anonymous' } // TLS without a client certificate (joining nodes)
  | { kind: 'node'; nodeId: string; role: string; organization: string };

/**
 * Node certificates carry the node ID as CN, the role as OU and the cluster
 * ID as O, as swarmkit does; this reads them back.
 */
export function peerFromCertificate(der: Buffer | undefined): Peer {
  if (!der || der.length === 0) return { kind: 'anonymous' };
  const cert = new X509Certificate(der);
  const fields = parseSubject(cert.subject);
  return { kind: 'node', nodeId: fields.get('CN') ?? '', role: fields.get('OU') ?? '', organization: fields.get('O') ?? '' };
}

function parseSubject(subject: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of subject.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/**
 * Server side: mutual TLS when material is given. `requireClientCert` false
 * still verifies a certificate when one is presented, so the CA service can
 * serve joiners (no certificate yet) on the same port as everything else.
 */
export function serverCredentials(tls: TlsMaterial | undefined, requireClientCert = true): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  if (requireClientCert) return ServerCredentials.createSsl(Buffer.from(tls.caPem), [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], true);
  // createSsl(…, false) would not even ask for a client certificate; this asks
  // and verifies one when given (Go's VerifyClientCertIfGiven), so members are
  // still identified on the port where joiners come without one.
  const provider = staticCertificates(tls);
  return experimental.createCertificateProviderServerCredentials(provider, provider, false);
}

/** A certificate provider that always hands out the same material. */
function staticCertificates(tls: TlsMaterial): experimental.CertificateProvider {
  const ca = { caCertificate: Buffer.from(tls.caPem) };
  const identity = { certificate: Buffer.from(tls.certPem), privateKey: Buffer.from(tls.keyPem) };
  // grpc-js registers its watcher after adding these listeners: answer on the next tick.
  return {
    addCaCertificateListener: (listener) => queueMicrotask(() => listener(ca)),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) => queueMicrotask(() => listener(identity)),
    removeIdentityCertificateListener: () => undefined,
  };
}

/** What a client checks about the server beyond its chain to the cluster root. */
export interface ServerExpectation {
  /** Require this node ID in the server certificate's CN. */
  nodeId?: string;
  /** Require this role (OU), e.g. "swarm-manager". */
  role?: string;
}

/**
 * Client side. Node certificates name node IDs, not host names, so the usual
 * host-name check is replaced by a check of the certificate's identity.
 */
export function clientCredentials(tls: TlsMaterial | undefined, expect: ServerExpectation = {}): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(Buffer.from(tls.caPem), tls.keyPem ? Buffer.from(tls.keyPem) : null, tls.certPem ? Buffer.from(tls.certPem) : null, {
    checkServerIdentity: (_host, cert) => {
      const fields = parseSubject(cert.subject ? Object.entries(cert.subject).map(([k, v]) => `${k}=${String(v)}`).join('\n') : '');
      if (expect.nodeId && fields.get('CN') !== expect.nodeId) return new Error(`server certificate names node ${fields.get('CN') ?? '?'}, expected ${expect.nodeId}`);
      if (expect.role && fields.get('OU') !== expect.role) return new Error(`server certificate has role ${fields.get('OU') ?? '?'}, expected ${expect.role}`);
      return undefined;
    },
  });
}

/**
 * For a joining node only: TLS that does not yet verify the server, used to
 * fetch the root certificate, which the caller then checks against the digest
 * in its join token before trusting anything it says.
 */
export function bootstrapCredentials(): ChannelCredentials {
  return credentials.createSsl(null, null, null, { rejectUnauthorized: false });
}
