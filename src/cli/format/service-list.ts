import type { Service, ServiceMode, ServiceStatusCounts } from '../../gen/index.js';
import { displayImage, naturalCompare, truncateId } from './human.js';
import { formatServicePorts } from './ports.js';
import { renderRows } from './list-template.js';
import type { ListFormat } from './table.js';

/** Column names for custom `table` templates, as Docker names them. */
const SERVICE_HEADERS = { ID: 'ID', Name: 'NAME', Mode: 'MODE', Replicas: 'REPLICAS', Image: 'IMAGE', Ports: 'PORTS' };

/** The MODE column: "replicated", "global", "replicated job", "global job". */
export function serviceModeName(mode: ServiceMode | undefined): string {
  switch (mode?.kind) {
    case 'REPLICATED':
      return 'replicated';
    case 'GLOBAL':
      return 'global';
    case 'REPLICATED_JOB':
      return 'replicated job';
    case 'GLOBAL_JOB':
      return 'global job';
    default:
      return '';
  }
}

/**
 * The REPLICAS column: "2/3"; "3/3 (max 1 per node)" for replicated services
 * with a per-node limit; jobs show their progress, "1/3 (2/3 completed)".
 */
export function serviceReplicas(service: Service, counts: ServiceStatusCounts | undefined): string {
  const running = counts?.runningTasks ?? 0;
  const desired = counts?.desiredTasks ?? 0;
  const completed = counts?.completedTasks ?? 0;
  const mode = service.spec?.mode;
  if (mode?.kind === 'REPLICATED_JOB') return `${running}/${desired} (${completed}/${mode.totalCompletions} completed)`;
  // Desired tasks of a global job are those still to complete.
  if (mode?.kind === 'GLOBAL_JOB') return `${running}/${desired} (${completed}/${desired + completed} completed)`;
  const maxPerNode = mode?.kind === 'REPLICATED' ? (service.spec?.task?.placement?.maxReplicas ?? 0) : 0;
  if (maxPerNode > 0) return `${running}/${desired} (max ${maxPerNode} per node)`;
  return `${running}/${desired}`;
}

type ServiceRow = {
  ID: string;
  Name: string;
  Mode: string;
  Replicas: string;
  Image: string;
  Ports: string;
};

function row(service: Service, counts: ServiceStatusCounts | undefined): ServiceRow {
  return {
    ID: truncateId(service.id),
    Name: service.spec?.annotations?.name ?? '',
    Mode: serviceModeName(service.spec?.mode),
    Replicas: serviceReplicas(service, counts),
    Image: displayImage(service.spec?.task?.container?.image ?? ''),
    Ports: formatServicePorts(service.endpoint?.ports ?? []),
  };
}

/**
 * `service ls` and `stack services`, sorted by name as Docker sorts them.
 * `statuses` are the running/desired/completed counts keyed by service ID.
 */
export function formatServiceList(services: readonly Service[], statuses: Readonly<Record<string, ServiceStatusCounts>>, format: ListFormat): string[] {
  const rows = [...services]
    .sort((a, b) => naturalCompare(a.spec?.annotations?.name ?? '', b.spec?.annotations?.name ?? ''))
    .map((s) => row(s, statuses[s.id]));
  return renderRows(rows, format, { quiet: (r) => r.ID, headers: ['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'], cells: (r) => [r.ID, r.Name, r.Mode, r.Replicas, r.Image, r.Ports], templateHeaders: SERVICE_HEADERS });
}
