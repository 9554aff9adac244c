import type { PortConfig } from '../../gen/index.js';

const PROTOCOL_ORDER = ['SCTP', 'TCP', 'UDP']; // Docker sorts protocol names as strings.

/**
 * The PORTS column of `service ls`: ingress ports only, sorted by protocol
 * then published port, consecutive mappings folded into ranges as Docker
 * does (`*:8080-8081->80-81/tcp`, `*:80-81->80/tcp`), joined by ", ".
 */
export function formatServicePorts(ports: readonly PortConfig[]): string {
  const sorted = ports
    .filter((p) => p.publishMode === 'INGRESS')
    .sort((a, b) => (a.protocol === b.protocol ? a.publishedPort - b.publishedPort : PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol)));
  const out: string[] = [];
  let range: { pStart: number; pEnd: number; tStart: number; tEnd: number; protocol: string } | undefined;
  const show = (r: NonNullable<typeof range>): string => {
    const pub = r.pEnd > r.pStart ? `${r.pStart}-${r.pEnd}` : `${r.pStart}`;
    const tgt = r.tEnd > r.tStart ? `${r.tStart}-${r.tEnd}` : `${r.tStart}`;
    return `*:${pub}->${tgt}/${r.protocol.toLowerCase()}`;
  };
  for (const p of sorted) {
    if (range !== undefined) {
      const isRange = range.tEnd !== range.tStart;
      const overlaps = p.targetPort <= range.tEnd;
      // Go's uint32 subtraction wraps, so "not consecutive" covers going backwards too.
      const pubGap = p.publishedPort - range.pEnd;
      const tgtGap = p.targetPort - range.tEnd;
      const startNew = p.protocol !== range.protocol || pubGap > 1 || pubGap < 0 || tgtGap > 1 || tgtGap < 0 || (isRange && overlaps);
      if (!startNew) {
        range.pEnd = p.publishedPort;
        range.tEnd = p.targetPort;
        continue;
      }
      if (range.pStart > 0) out.push(show(range));
    }
    range = { pStart: p.publishedPort, pEnd: p.publishedPort, tStart: p.targetPort, tEnd: p.targetPort, protocol: p.protocol };
  }
  if (range !== undefined && range.pStart > 0) out.push(show(range));
  return out.join(', ');
}

/** The PORTS column of `service ps`: a task's host-mode published ports, joined by ",". */
export function formatTaskPorts(ports: readonly PortConfig[]): string {
  return ports.filter((p) => p.publishMode === 'HOST').map((p) => `*:${p.publishedPort}->${p.targetPort}/${p.protocol.toLowerCase()}`).join(',');
}
