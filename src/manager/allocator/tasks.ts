// Task and node attachments: which networks a task needs an address on,
// whether it is still waiting for them, and handing them out.
import { isAtOrBefore, isTerminal, wantsStop } from '../../common/task-state.js';
import type { Network, NetworkAttachment, Node, Task } from '../../gen/index.js';
import { err, ok, type Result } from '../../common/result.js';
import type { AddressBook, Owner } from './address-book.js';
import { publishesIngress } from './endpoint.js';

/** The address owner key of a task. */
export function taskOwner(taskId: string): Owner {
  return `task:${taskId}`;
}

/** The address owner key of a node (its ingress address). */
export function nodeOwner(nodeId: string): Owner {
  return `node:${nodeId}`;
}

/** Whether the task needs any network address: it names networks, or publishes through the routing mesh. */
export function wantsAttachments(task: Task): boolean {
  return (task.spec?.networks.length ?? 0) > 0 || publishesIngress(task.endpoint);
}

/**
 * Waiting for the allocator: not yet assigned, still wanted, needs
 * addresses and has none. The scheduler does not place such a task.
 */
export function awaitsAllocation(task: Task): boolean {
  return isAtOrBefore(task.status?.state ?? 'NEW', 'PENDING') && !wantsStop(task.desiredState) && task.networks.length === 0 && wantsAttachments(task);
}

/** Whether the task's addresses are still in use: until it is COMPLETE or later. */
export function holdsAddresses(task: Task): boolean {
  return !isTerminal(task.status?.state ?? 'NEW');
}

/** Finds a network by ID, or by name for specs written before names were resolved. */
export type NetworkLookup = (target: string) => Network | undefined;

/**
 * The task's attachments: ingress first when it publishes there, then one
 * per network of its spec, with the spec's aliases. All or nothing: on
 * failure (a missing network, a full subnet) nothing stays allocated.
 */
export function allocateTaskNetworks(book: AddressBook, task: Task, lookup: NetworkLookup, ingress: Network | undefined): Result<NetworkAttachment[], string> {
  const owner = taskOwner(task.id);
  const wanted: { network: Network; aliases: string[] }[] = [];
  if (publishesIngress(task.endpoint)) {
    if (ingress === undefined) return err('the service publishes ports but the swarm has no ingress network: create one with "shoal network create --ingress -d overlay ingress"');
    wanted.push({ network: ingress, aliases: [] });
  }
  for (const config of task.spec?.networks ?? []) {
    const network = lookup(config.target);
    if (network === undefined) return err(`network ${config.target} not found`);
    if (wanted.some((w) => w.network.id === network.id)) continue;
    wanted.push({ network, aliases: [...config.aliases] });
  }
  const attachments: NetworkAttachment[] = [];
  for (const { network, aliases } of wanted) {
    const address = book.allocate(network.id, owner);
    if (!address.ok) {
      book.release(owner);
      return err(address.error.kind === 'unknown-network' ? `network ${network.spec?.annotations?.name || network.id} has no allocated subnet yet` : address.error.message);
    }
    attachments.push({ networkId: network.id, addresses: [address.value], aliases });
  }
  return ok(attachments);
}

/** The node's ingress attachment, or undefined when it has none for this ingress network. */
export function ingressAttachmentOf(node: Node, ingressId: string): NetworkAttachment | undefined {
  return node.attachments.find((a) => a.networkId === ingressId && a.addresses.length > 0);
}
