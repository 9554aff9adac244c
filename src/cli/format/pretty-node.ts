import type { Node } from '../../gen/index.js';
import { bytesSize, capitalize, goTimeString } from './human.js';

/**
 * `node inspect --pretty` for one node, line by line as Docker's template
 * prints it. "Joined at" is Go's time string through Docker's PrettyPrint,
 * which lower-cases it ("... +0000 utc").
 */
export function formatNodePretty(node: Node): string[] {
  const d = node.description;
  const lines: string[] = [`ID:\t\t\t${node.id}`];
  const name = node.spec?.annotations?.name ?? '';
  if (name !== '') lines.push(`Name:\t\t\t${name}`);
  const labels = Object.entries(node.spec?.annotations?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (labels.length > 0) lines.push('Labels:', ...labels.map(([k, v]) => ` - ${k}${v === '' ? '' : `=${v}`}`));
  lines.push(`Hostname:              \t${d?.hostname ?? ''}`);
  lines.push(`Joined at:             \t${capitalize(goTimeString(node.meta?.createdAtMs ?? 0))}`);
  lines.push('Status:', ` State:\t\t\t${capitalize(node.status?.state ?? 'UNKNOWN')}`);
  if ((node.status?.message ?? '') !== '') lines.push(` Message:              \t${capitalize(node.status?.message ?? '')}`);
  lines.push(` Availability:         \t${capitalize(node.spec?.availability ?? 'ACTIVE')}`);
  if ((node.status?.addr ?? '') !== '') lines.push(` Address:\t\t${node.status?.addr}`);
  const ms = node.managerStatus;
  if (ms !== undefined) lines.push('Manager Status:', ` Address:\t\t${ms.addr}`, ` Raft Status:\t\t${capitalize(ms.reachability)}`, ` Leader:\t\t${ms.leader ? 'Yes' : 'No'}`);
  lines.push('Platform:', ` Operating System:\t${d?.platform?.os ?? ''}`, ` Architecture:\t\t${d?.platform?.architecture ?? ''}`);
  const memory = d?.resources?.memoryBytes ?? 0;
  lines.push('Resources:', ` CPUs:\t\t\t${Math.trunc((d?.resources?.nanoCpus ?? 0) / 1e9)}`, ` Memory:\t\t${memory === 0 ? '' : bytesSize(memory)}`);
  lines.push(`Engine Version:\t\t${d?.engineVersion ?? ''}`);
  const engineLabels = Object.entries(d?.engineLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (engineLabels.length > 0) lines.push('Engine Labels:', ...engineLabels.map(([k, v]) => ` - ${k}${v === '' ? '' : `=${v}`}`));
  return lines;
}
