import { RpcError, type Authorizer, type Peer } from '../rpc/index.js';
import { MANAGER_ROLE } from './ca/index.js';

/** What authorization needs to know about the cluster right now. */
export interface MembershipView {
  clusterId(): string;
  /** False once a node has been removed: its certificate is refused everywhere. */
  nodeExists(nodeId: string): boolean;
}

function node(peer: Peer, view: MembershipView): RpcError | { nodeId: string; role: string } {
  if (peer.kind === 'local') return { nodeId: '', role: MANAGER_ROLE };
  if (peer.kind !== 'node') return new RpcError('unauthenticated', 'a node certificate from this swarm is required');
  if (peer.organization !== view.clusterId()) return new RpcError('permission-denied', 'this certificate belongs to another swarm');
  if (!view.nodeExists(peer.nodeId)) return new RpcError('permission-denied', `node ${peer.nodeId} is not a member of this swarm (it was removed)`, { kind: 'node-removed' });
  return peer;
}

/** Control and Raft: managers only (a worker's certificate cannot drive the cluster). */
export function managersOnly(view: MembershipView): Authorizer {
  return (peer) => {
    const who = node(peer, view);
    if (who instanceof RpcError) return who;
    if (who.role !== MANAGER_ROLE) {
      return new RpcError('permission-denied', 'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.');
    }
    return undefined;
  };
}

/** Dispatcher and log publishing: any current member node. */
export function membersOnly(view: MembershipView): Authorizer {
  return (peer) => {
    const who = node(peer, view);
    return who instanceof RpcError ? who : undefined;
  };
}

/** CA: joiners (no certificate) may fetch the root and ask for a certificate; renewal needs membership. */
export function caAuthorizer(view: MembershipView): Authorizer {
  return (peer, method) => {
    if (method.endsWith('/GetRootCACertificate') || method.endsWith('/IssueNodeCertificate')) return undefined;
    const who = node(peer, view);
    return who instanceof RpcError ? who : undefined;
  };
}

/** Logs: subscribing is a manager's (CLI) act; listening and publishing are any member's. */
export function logsAuthorizer(view: MembershipView): Authorizer {
  const managers = managersOnly(view);
  const members = membersOnly(view);
  return (peer, method) => (method.endsWith('/SubscribeLogs') ? managers(peer, method) : members(peer, method));
}
