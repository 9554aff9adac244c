// `network create --internal`: a task whose networks are all internal gets
// no way out of the overlay. Docker leaves such a container off
// docker_gwbridge (libnetwork's Sandbox.NeedDefaultGW skips internal
// endpoints); shoal's equivalent of the gateway bridge is the engine's own
// default bridge on eth0, so the container is created with NetworkMode
// "none" instead: only lo and the overlay interfaces the attacher adds, no
// default route. Pure; the attacher answers the executor's create request
// with it (OverlayAttacher.networkMode).
import type { Network, Task } from '../gen/index.js';

/** The engine's network mode for a container with no network besides the overlays. */
export const ISOLATED_NETWORK_MODE = 'none';

/**
 * Whether every network of the task is a known internal network (and it has
 * at least one). An unknown network counts as not internal: the task is then
 * refused before start (OverlayAttacher.attach), so nothing runs half-isolated.
 */
export function onlyOnInternalNetworks(task: Task, networks: ReadonlyMap<string, Network>): boolean {
  return task.networks.length > 0 && task.networks.every((a) => networks.get(a.networkId)?.spec?.internal === true);
}

/**
 * Whether the task's container goes without the engine's bridge: all its
 * networks are internal and it publishes no host-mode port (those are the
 * engine's own port bindings on that bridge, which the engine refuses
 * with NetworkMode "none"; Docker likewise keeps the gateway bridge for them).
 */
export function withoutGatewayBridge(task: Task, networks: ReadonlyMap<string, Network>): boolean {
  const hostPorts = (task.endpoint?.ports ?? []).some((p) => p.publishMode === 'HOST');
  return !hostPorts && onlyOnInternalNetworks(task, networks);
}
