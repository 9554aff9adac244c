// Which VIPs a container should balance: those of vip-mode services on the
// networks the container is attached to, each to its tasks on that network.
import type { NamedService } from '../dns/name-table.js';
import type { VipService } from './rules.js';

/** The VIP services a container on `networkIds` sees. Pure. */
export function vipServicesForContainer(networkIds: readonly string[], services: readonly NamedService[]): VipService[] {
  const attached = new Set(networkIds);
  const result: VipService[] = [];
  for (const service of services) {
    if (service.endpointMode !== 'vip') continue;
    for (const vip of service.vips) {
      if (!attached.has(vip.networkId)) continue;
      const backends = service.tasks.filter((t) => t.networkId === vip.networkId).map((t) => t.ip);
      result.push({ vip: vip.ip, backends });
    }
  }
  return result;
}
