// The node joins every overlay through a shg<VNI> link (for DNS, and for
// the mesh on ingress). That must not make the node a router between
// overlays, nor expose its own services to tasks: only DNS, ping and
// replies may enter from an overlay.
import { hostLinkName } from '../names.js';

/** Name of the node-namespace table that isolates overlays. */
export const isolationTableName = 'shoal-isolation';

/** The isolation table as one `nft -f` transaction. Pure. */
export function isolationRuleset(): string {
  const links = `${hostLinkName(0).replace(/0$/, '')}*`;
  return [
    `table ip ${isolationTableName} {}`,
    `flush table ip ${isolationTableName}`,
    `table ip ${isolationTableName} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname "${links}" ct state established,related accept`,
    `    iifname "${links}" meta l4proto { tcp, udp } th dport 53 accept`,
    `    iifname "${links}" icmp type echo-request accept`,
    `    iifname "${links}" drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname "${links}" oifname "${links}" drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}
