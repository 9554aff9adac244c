// The leader's allocator (DESIGN.md step 6): pure cores for network IPAM,
// service endpoints and task/node attachments; the loop that drives them
// lives in src/manager/leader/allocator-loop.ts. README.md lists the store
// fields it writes.
export { AddressBook, type Owner, type AddressBookError } from './address-book.js';
export { allocateNetwork, ingressNetwork, addressPoolsOf, addressPoolsProblem, vniOf, type AddressPools, type NetworkAllocation, type NetworkAllocationError } from './network-ipam.js';
export { resolvePorts, ingressPortsInUse, vipNetworkIds, planEndpoint, publishesIngress, vipOwner, DYNAMIC_PORT_FIRST, DYNAMIC_PORT_LAST, type EndpointPlan } from './endpoint.js';
export { allocateTaskNetworks, awaitsAllocation, wantsAttachments, holdsAddresses, ingressAttachmentOf, taskOwner, nodeOwner, type NetworkLookup } from './tasks.js';
export { rebuildAddressBook, type AllocatedObjects } from './rebuild.js';
