import type { Node } from '../../gen/index.js';
import { capitalize, naturalCompare } from './human.js';
import { renderRows } from './list-template.js';
import type { ListFormat } from './table.js';

/** Column names for custom `table` templates, as Docker names them. */
const NODE_HEADERS = { ID: 'ID', Self: '', Hostname: 'HOSTNAME', Status: 'STATUS', Availability: 'AVAILABILITY', ManagerStatus: 'MANAGER STATUS', EngineVersion: 'ENGINE VERSION', TLSStatus: 'TLS STATUS' };

/** The MANAGER STATUS column: "Leader", "Reachable", "Unreachable", "Unknown", or empty for workers. */
export function managerStatus(node: Node): string {
  const ms = node.managerStatus;
  if (ms === undefined) return '';
  return ms.leader ? 'Leader' : capitalize(ms.reachability);
}

/**
 * `node ls`, sorted by hostname: full IDs, the current node's marked with
 * `*` (Docker's `{{.ID}} {{if .Self}}*{{else}} {{end}}` column).
 */
export function formatNodeList(nodes: readonly Node[], selfNodeId: string, format: ListFormat): string[] {
  const sorted = [...nodes].sort((a, b) => naturalCompare(a.description?.hostname ?? '', b.description?.hostname ?? ''));
  const rows = sorted.map((n) => ({
    ID: n.id,
    Self: n.id === selfNodeId,
    Hostname: n.description?.hostname ?? '',
    Status: capitalize(n.status?.state ?? 'UNKNOWN'),
    Availability: capitalize(n.spec?.availability ?? 'ACTIVE'),
    ManagerStatus: managerStatus(n),
    EngineVersion: n.description?.engineVersion ?? '',
    // shoal rotates node certificates itself; Docker's "Needs Rotation" never applies.
    TLSStatus: 'Ready',
  }));
  return renderRows(rows, format, { quiet: (r) => r.ID, headers: ['ID  ', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION'], cells: (r) => [`${r.ID} ${r.Self ? '*' : ' '}`, r.Hostname, r.Status, r.Availability, r.ManagerStatus, r.EngineVersion], templateHeaders: NODE_HEADERS });
}
