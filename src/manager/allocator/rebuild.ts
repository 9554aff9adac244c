// The store is the truth: a new leader rebuilds its address book from the
// objects, claiming every address a live owner holds.
import type { Network, Node, Service, Task } from '../../gen/index.js';
import { AddressBook, type Owner } from './address-book.js';
import { vipOwner } from './endpoint.js';
import { holdsAddresses, nodeOwner, taskOwner } from './tasks.js';

/** What a rebuild reads from the store. */
export interface AllocatedObjects {
  readonly networks: readonly Network[];
  readonly services: readonly Service[];
  readonly tasks: Iterable<Task>;
  readonly nodes: readonly Node[];
}

/**
 * An address book holding what the store says is held: service VIPs, node
 * ingress addresses, and the attachments of tasks not yet COMPLETE or later.
 * `problems` names duplicates (two owners of one address), which the first
 * claimant keeps.
 */
export function rebuildAddressBook(objects: AllocatedObjects): { book: AddressBook; problems: string[] } {
  const book = new AddressBook();
  const problems: string[] = [];
  for (const network of objects.networks) book.ensureNetwork(network);
  const claim = (owner: Owner, networkId: string, address: string): void => {
    const claimed = book.claim(networkId, owner, address);
    if (!claimed.ok && claimed.error.kind !== 'unknown-network') problems.push(claimed.error.message);
  };
  for (const service of objects.services) for (const vip of service.endpoint?.virtualIps ?? []) claim(vipOwner(service.id), vip.networkId, vip.addr);
  for (const node of objects.nodes) for (const a of node.attachments) for (const address of a.addresses) claim(nodeOwner(node.id), a.networkId, address);
  for (const task of objects.tasks) {
    if (!holdsAddresses(task)) continue;
    for (const a of task.networks) for (const address of a.addresses) claim(taskOwner(task.id), a.networkId, address);
  }
  return { book, problems };
}
