// Where dockerd shares the node's network namespace (a real host, a
// container host), it sets the iptables FORWARD policy to DROP: routing-mesh
// connections DNATed towards the ingress link, and their replies, would be
// dropped. Docker's own answer is the DOCKER-USER chain; we accept traffic
// to and from our node links (shg*) there. Our nftables isolation table still
// decides what those links may reach: an accept in one table never overrides
// a drop in another.
import { hostLinkName, type CommandRunner } from '../overlay/index.js';

/** The interface pattern of every node link into an overlay (shg<VNI>). */
const nodeLinks = `${hostLinkName(0).replace(/0$/, '')}+`;
const rules = [['-i', nodeLinks, '-j', 'ACCEPT'], ['-o', nodeLinks, '-j', 'ACCEPT']];

/** Add (present) or remove our DOCKER-USER rules; nothing when there is no dockerd's chain in this namespace. Idempotent. */
export async function allowOverlayThroughDockerForward(runner: CommandRunner, present: boolean, netnsPath?: string): Promise<void> {
  const iptables = (args: string[]): string[] => (netnsPath === undefined ? ['iptables', '-w', ...args] : ['nsenter', `--net=${netnsPath}`, 'iptables', '-w', ...args]);
  if ((await runner.run(iptables(['-n', '-L', 'DOCKER-USER']))).code !== 0) return;
  for (const rule of rules) {
    const exists = (await runner.run(iptables(['-C', 'DOCKER-USER', ...rule]))).code === 0;
    if (present && !exists) await runner.run(iptables(['-I', 'DOCKER-USER', ...rule]));
    if (!present && exists) await runner.run(iptables(['-D', 'DOCKER-USER', ...rule]));
  }
}
