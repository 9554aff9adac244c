// Applies generated tables with one `nft -f -` per namespace: the table is
// swapped in a single kernel transaction, so re-applying the same rules (a
// restart) or new ones (a task moved) never opens a window without NAT.
import { inNetns, runChecked, type CommandRunner } from '../dataplane/command-runner.js';
import { meshTableName, vipTableName } from '../names.js';
import { containerVipRuleset, deleteTableScript, routingMeshRuleset, type ContainerVipSpec, type RoutingMeshSpec } from './rules.js';

/** Replace `table` in a namespace with `script` (from the generators), or delete it when script is undefined. */
export async function applyTable(runner: CommandRunner, netnsPath: string | undefined, table: string, script: string | undefined): Promise<void> {
  await runChecked(runner, inNetns(netnsPath, ['nft', '-f', '-']), script ?? deleteTableScript(table));
}

/**
 * Set sysctls of the namespace at netnsPath. A daemon in a container (with
 * CAP_SYS_ADMIN but /proc/sys mounted read-only, as Docker does) retries in
 * a private mount namespace with /proc/sys remounted read-write: the values
 * are per network namespace, so only this process's view of the mount changes.
 */
export async function writeSysctls(runner: CommandRunner, netnsPath: string | undefined, settings: readonly string[]): Promise<void> {
  const direct = await runner.run(inNetns(netnsPath, ['sysctl', '-qw', ...settings]));
  if (direct.code === 0) return;
  const script = 'mount -o remount,rw /proc/sys && exec sysctl -qw "$@"';
  await runChecked(runner, inNetns(netnsPath, ['unshare', '--mount', 'sh', '-c', script, 'sh', ...settings]));
}

/** Program (or, with spec undefined, remove) the routing mesh of the node whose namespace is netnsPath (undefined: this one). */
export async function applyRoutingMesh(runner: CommandRunner, netnsPath: string | undefined, spec: RoutingMeshSpec | undefined): Promise<void> {
  if (spec !== undefined) {
    // Forwarding to the ingress network, and DNAT of 127.0.0.1 out of a
    // non-loopback link, must be allowed in the node's namespace.
    await writeSysctls(runner, netnsPath, ['net.ipv4.ip_forward=1', `net.ipv4.conf.${spec.ingressLink}.route_localnet=1`]);
  }
  await applyTable(runner, netnsPath, meshTableName, spec === undefined ? undefined : routingMeshRuleset(spec));
}

/** Program (or remove) the VIP table inside one container's namespace; `dnsLink` is the interface that gets route_localnet for the DNS redirect. */
export async function applyContainerVips(runner: CommandRunner, containerNetnsPath: string, spec: ContainerVipSpec, dnsLink?: string): Promise<void> {
  if (spec.dns !== undefined && dnsLink !== undefined) {
    await writeSysctls(runner, containerNetnsPath, [`net.ipv4.conf.${dnsLink}.route_localnet=1`]);
  }
  await applyTable(runner, containerNetnsPath, vipTableName, containerVipRuleset(spec));
}
