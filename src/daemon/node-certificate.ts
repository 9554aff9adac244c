// A node's certificate: created with a new cluster, obtained when joining
// (the CA-pinning handshake), and renewed (role changes today; automatic
// renewal before expiry goes through renew() as well).
import { X509Certificate } from 'node:crypto';
import { CAService } from '../gen/index.js';
import { createClient, RpcError, type TlsMaterial } from '../rpc/index.js';
import { caDigest, createKeyAndCsr, createRootCA, digestToBase36, generateJoinToken, issueNodeTls, MANAGER_ROLE, type RootCA } from '../manager/index.js';
import { localRole, type LocalRole } from './roles.js';

/** Bound on each call of the join handshake and of a renewal. */
const CA_CALL_TIMEOUT_MS = 10_000;

/** What a new cluster's first manager starts with: the root CA, its own certificate, and the join tokens. */
export interface NewClusterCertificates {
  ca: RootCA;
  tls: TlsMaterial;
  digest: string;
  tokens: { worker: string; manager: string };
}

/** Creates a new cluster's root CA and its first manager's certificate. */
export async function newClusterCertificates(nodeId: string, clusterId: string): Promise<NewClusterCertificates> {
  const ca = await createRootCA();
  const tls = await issueNodeTls(ca, { nodeId, role: MANAGER_ROLE, clusterId });
  const digest = caDigest(ca.certPem);
  return { ca, tls, digest, tokens: { worker: generateJoinToken(digest), manager: generateJoinToken(digest) } };
}

/**
 * Joining, step 1: fetch the swarm's root certificate without trusting it,
 * then accept it only if its digest is the one the join token names.
 */
export async function fetchPinnedRoot(remote: string, tokenDigest: string): Promise<string> {
  const bootstrap = createClient(CAService, remote, { bootstrap: true, defaultDeadlineMs: CA_CALL_TIMEOUT_MS });
  let caPem: string;
  try {
    caPem = (await bootstrap.getRootCACertificate({})).certificatePem;
  } catch (error) {
    throw new RpcError('unavailable', `could not reach a manager at ${remote} within ${CA_CALL_TIMEOUT_MS / 1000}s: ${RpcError.from(error).message}`);
  } finally {
    bootstrap.close();
  }
  if (digestToBase36(caDigest(caPem)) !== tokenDigest) {
    throw new RpcError('invalid-argument', `invalid join token: the swarm at ${remote} has a different root CA than the token names (wrong token, or not the manager you meant)`);
  }
  return caPem;
}

/** A certificate the swarm's CA issued to this node. */
export interface IssuedCertificate {
  nodeId: string;
  clusterId: string;
  role: LocalRole;
  tls: TlsMaterial;
}

/** Joining, step 2: ask for a certificate with the token, over TLS verified against the pinned root. */
export async function requestCertificate(remote: string, caPem: string, request: { joinToken: string; advertiseAddr: string; nodeName: string }): Promise<IssuedCertificate> {
  const { keyPem, csrPem } = await createKeyAndCsr();
  const ca = createClient(CAService, remote, { tls: { caPem, certPem: '', keyPem: '' }, defaultDeadlineMs: CA_CALL_TIMEOUT_MS });
  try {
    const issued = await ca.issueNodeCertificate({ csrPem, token: request.joinToken, availability: 'ACTIVE', advertiseAddr: request.advertiseAddr, nodeName: request.nodeName });
    return { nodeId: issued.nodeId, clusterId: clusterIdOf(issued.certificatePem), role: localRole(issued.role), tls: { caPem, certPem: issued.certificatePem, keyPem } };
  } catch (error) {
    const e = RpcError.from(error);
    throw new RpcError(e.kind, e.kind === 'unavailable' ? `could not reach a manager at ${remote}: ${e.message}` : e.message);
  } finally {
    ca.close();
  }
}

/** A renewed certificate, and the manager whose CA issued it. */
export interface Renewal {
  tls: TlsMaterial;
  role: LocalRole;
  issuedBy: string;
}

/**
 * Renews this node's certificate with the first manager that answers: a new
 * key, and the role the managers want for this node now (the CA issues by
 * the desired role). With `expectRole`, a certificate for another role is
 * refused (a CA that has not seen the change yet), and the next manager tried.
 */
export async function renew(current: TlsMaterial, managers: readonly string[], expectRole?: LocalRole): Promise<Renewal> {
  const { keyPem, csrPem } = await createKeyAndCsr();
  let lastError: unknown = new Error('no manager address known');
  for (const addr of managers) {
    const ca = createClient(CAService, addr, { tls: current, expect: { role: MANAGER_ROLE }, defaultDeadlineMs: CA_CALL_TIMEOUT_MS });
    try {
      const answer = await ca.renewNodeCertificate({ csrPem });
      const role = localRole(answer.role);
      if (expectRole && role !== expectRole) throw new Error(`the CA at ${addr} still issues role ${answer.role}`);
      return { tls: { ...current, certPem: answer.certificatePem, keyPem }, role, issuedBy: addr };
    } catch (error) {
      lastError = error;
    } finally {
      ca.close();
    }
  }
  throw lastError;
}

/** The cluster ID a node certificate names (its O field). */
function clusterIdOf(certPem: string): string {
  return /(?:^|\n)O=([^\n]*)/.exec(new X509Certificate(certPem).subject)?.[1] ?? '';
}
