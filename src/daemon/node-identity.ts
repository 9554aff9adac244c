import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsMaterial } from '../rpc/index.js';
import type { LocalRole } from './roles.js';

/** What a node remembers about its swarm across restarts (its data root's `swarm/`). */
export interface NodeIdentity {
  formatVersion: 1;
  nodeId: string;
  clusterId: string;
  /** The role its certificate carries. */
  role: LocalRole;
  /** This node's Raft member ID while it is a manager (0 otherwise). */
  raftId: number;
  /** Address other nodes reach this one at (host:port for managers' gRPC). */
  advertiseAddr: string;
  listenAddr: string;
  /** Underlay address for overlay (VXLAN) traffic. */
  dataPathAddr: string;
  dataPathPort: number;
  /** Managers last known, host:port; where the agent reconnects after a restart. */
  managerAddrs: string[];
}

/** The identity and certificates stored under a data root. */
export interface StoredNode {
  identity: NodeIdentity;
  tls: TlsMaterial;
}

const dirOf = (dataRoot: string): string => join(dataRoot, 'swarm');

/** Writes a file so that a crash leaves either the old or the new content, never a torn one. */
function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Saves the node's identity and certificates (key files 0600). */
export function saveNode(dataRoot: string, node: StoredNode): void {
  const dir = dirOf(dataRoot);
  mkdirSync(join(dir, 'certs'), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(dir, 'certs', 'ca.pem'), node.tls.caPem, 0o644);
  writeFileAtomic(join(dir, 'certs', 'node.pem'), node.tls.certPem, 0o644);
  writeFileAtomic(join(dir, 'certs', 'node.key'), node.tls.keyPem, 0o600);
  // The state file goes last: its presence means the certificates are complete.
  writeFileAtomic(join(dir, 'state.json'), JSON.stringify(node.identity, null, 2) + '\n', 0o600);
}

/** Loads what `saveNode` wrote, or undefined for a node that belongs to no swarm. */
export function loadNode(dataRoot: string): StoredNode | undefined {
  const dir = dirOf(dataRoot);
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath)) return undefined;
  const identity = JSON.parse(readFileSync(statePath, 'utf8')) as NodeIdentity;
  if (identity.formatVersion !== 1) throw new Error(`${statePath} has format ${String(identity.formatVersion)}, which this shoal does not understand`);
  const read = (name: string): string => readFileSync(join(dir, 'certs', name), 'utf8');
  return { identity, tls: { caPem: read('ca.pem'), certPem: read('node.pem'), keyPem: read('node.key') } };
}

/** Updates the remembered identity (e.g. new managers, new role) keeping the certificates. */
export function saveIdentity(dataRoot: string, identity: NodeIdentity): void {
  writeFileAtomic(join(dirOf(dataRoot), 'state.json'), JSON.stringify(identity, null, 2) + '\n', 0o600);
}

/** Forgets the swarm (swarm leave): identity, certificates and the manager's Raft data. */
export function forgetSwarm(dataRoot: string): void {
  rmSync(dirOf(dataRoot), { recursive: true, force: true });
  rmSync(join(dataRoot, 'raft'), { recursive: true, force: true });
}
