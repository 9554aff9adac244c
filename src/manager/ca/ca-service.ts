import type { CAService, Cluster, Node, NodeSpec_Availability, NodeSpec_Role } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import { issueNodeCertificate, MANAGER_ROLE, WORKER_ROLE, type RootCA } from './certificates.js';
import { parseJoinToken, tokensMatch } from './join-token.js';

/** What the CA needs from the managers' store. */
export interface CAStoreView {
  cluster(): Cluster | undefined;
  node(nodeId: string): Node | undefined;
}

/** A node the CA admitted, to be recorded in the store before its certificate is handed out. */
export interface AdmittedNode {
  nodeId: string;
  role: NodeSpec_Role;
  availability: NodeSpec_Availability;
  hostname: string;
  advertiseAddr: string;
}

/** The CA's side effects, injected: recording a new node (through Raft) and making IDs. */
export interface CAPorts {
  store: CAStoreView;
  registerNode(node: AdmittedNode): Promise<void>;
  newNodeId(): string;
}

/** Unwraps the cluster's root CA, or refuses when this manager has none yet. */
function rootCA(store: CAStoreView): { ca: RootCA; cluster: Cluster } {
  const cluster = store.cluster();
  const root = cluster?.rootCa;
  if (!cluster || !root?.caCertPem || root.caKeyPem.length === 0) throw new RpcError('unavailable', 'this manager has no cluster CA yet; try another manager');
  return { ca: { certPem: root.caCertPem, keyPem: Buffer.from(root.caKeyPem).toString('utf8') }, cluster };
}

/**
 * The CA service. A joining node has no certificate yet, so GetRootCACertificate
 * and IssueNodeCertificate are served to anonymous TLS peers: the token is
 * the credential, and the joiner has already pinned our root by its digest.
 */
export function caHandlers(ports: CAPorts): Handlers<typeof CAService> {
  return {
    getRootCACertificate: async () => ({ certificatePem: rootCA(ports.store).ca.certPem }),
    issueNodeCertificate: async (req) => {
      const { ca, cluster } = rootCA(ports.store);
      const parsed = parseJoinToken(req.token);
      if (!parsed.ok) throw new RpcError('invalid-argument', parsed.error);
      const tokens = cluster.rootCa?.joinTokens;
      const role: NodeSpec_Role | undefined = tokens && tokensMatch(req.token, tokens.manager) ? 'MANAGER' : tokens && tokensMatch(req.token, tokens.worker) ? 'WORKER' : undefined;
      // A rotated token is simply no longer one of the two current ones.
      if (!role) throw new RpcError('invalid-argument', 'invalid join token: it does not match this swarm\'s current worker or manager token (it may have been rotated); get the current one with "shoal swarm join-token worker|manager" on a manager');
      const nodeId = ports.newNodeId();
      await ports.registerNode({ nodeId, role, availability: req.availability, hostname: req.nodeName, advertiseAddr: req.advertiseAddr });
      const certificatePem = await issueNodeCertificate(ca, req.csrPem, { nodeId, role: role === 'MANAGER' ? MANAGER_ROLE : WORKER_ROLE, clusterId: cluster.id }).catch((error: unknown) => {
        throw new RpcError('invalid-argument', `certificate request refused: ${error instanceof Error ? error.message : String(error)}`);
      });
      return { nodeId, certificatePem, role };
    },
    renewNodeCertificate: async (req, ctx) => {
      if (ctx.peer.kind !== 'node') throw new RpcError('unauthenticated', 'renewing a certificate needs the current node certificate');
      const node = ports.store.node(ctx.peer.nodeId);
      if (!node) throw new RpcError('permission-denied', `node ${ctx.peer.nodeId} has been removed from the swarm`);
      const { ca, cluster } = rootCA(ports.store);
      const role = node.spec?.desiredRole ?? 'WORKER';
      const certificatePem = await issueNodeCertificate(ca, req.csrPem, { nodeId: node.id, role: role === 'MANAGER' ? MANAGER_ROLE : WORKER_ROLE, clusterId: cluster.id });
      return { certificatePem, role };
    },
  };
}
