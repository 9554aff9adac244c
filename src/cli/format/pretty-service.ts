import type { Service, UpdateConfig } from '../../gen/index.js';
import { formatGoDuration } from '../spec/duration.js';
import { bytesSize, humanDuration } from './human.js';
import { lower } from './inspect-common.js';

/** What the service pretty printer needs besides the service. */
export interface ServicePrettyOptions {
  nowMs: number;
  /** Network names by ID, for the Networks line (IDs shown when unknown). */
  networkNames?: ReadonlyMap<string, string>;
}

const sortedEntries = (map: Readonly<Record<string, string>>): [string, string][] => Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

// Go's fmt prints a []string as "[a b c]".
const goList = (items: readonly string[]): string => `[${items.join(' ')}]`;

function updateConfigText(cfg: UpdateConfig, kind: 'Update' | 'Rollback'): string {
  let s = `\n${kind}Config:\n Parallelism:\t${cfg.parallelism}`;
  if (cfg.delayMs > 0) s += `\n Delay:\t\t${formatGoDuration(cfg.delayMs)}`;
  s += `\n On failure:\t${lower(cfg.failureAction)}`;
  if (cfg.monitorMs > 0) s += `\n Monitoring Period: ${formatGoDuration(cfg.monitorMs)}`;
  s += `\n Max failure ratio: ${Number(cfg.maxFailureRatio.toPrecision(7))}`;
  s += kind === 'Update' ? `\n Update order:      ${lower(cfg.order, true)}` : `\n Rollback order:    ${lower(cfg.order, true)}`;
  return s;
}

/**
 * `service inspect --pretty` for one service, line by line, following
 * Docker's template to the whitespace (tabs, trailing spaces, the leading and
 * trailing blank lines). Print each line followed by a newline.
 */
export function formatServicePretty(service: Service, opts: ServicePrettyOptions): string[] {
  const spec = service.spec;
  const task = spec?.task;
  const c = task?.container;
  let s = `\nID:\t\t${service.id}\nName:\t\t${spec?.annotations?.name ?? ''}`;
  const labels = sortedEntries(spec?.annotations?.labels ?? {});
  if (labels.length > 0) s += '\nLabels:' + labels.map(([k, v]) => `\n ${k}${v === '' ? '' : `=${v}`}`).join('');
  s += '\nService Mode:';
  if (spec?.mode?.kind === 'GLOBAL') s += '\tGlobal';
  else if (spec?.mode?.kind === 'REPLICATED') s += `\tReplicated\n Replicas:\t${spec.mode.replicas}`;

  const status = service.updateStatus;
  if (status !== undefined && status.state !== 'UNKNOWN') {
    s += `\nUpdateStatus:\n State:\t\t${lower(status.state)}`;
    if (status.startedAtMs > 0) s += `\n Started:\t${humanDuration(opts.nowMs - status.startedAtMs)} ago`;
    if (status.state === 'COMPLETED' && status.completedAtMs > 0) s += `\n Completed:\t${humanDuration(opts.nowMs - status.completedAtMs)} ago`;
    s += `\n Message:\t${status.message}`;
  }

  s += '\nPlacement:';
  const placement = task?.placement;
  if ((placement?.constraints.length ?? 0) > 0) s += `\n Constraints:\t${goList(placement?.constraints ?? [])}`;
  if ((placement?.preferences.length ?? 0) > 0) s += `\n Preferences:   ${goList((placement?.preferences ?? []).map((p) => `spread=${p.spreadDescriptor}`))}`;
  if ((placement?.maxReplicas ?? 0) > 0) s += `\n Max Replicas Per Node:   ${placement?.maxReplicas}`;
  if (spec?.update !== undefined) s += updateConfigText(spec.update, 'Update');
  if (spec?.rollback !== undefined) s += updateConfigText(spec.rollback, 'Rollback');

  s += `\nContainerSpec:\n Image:\t\t${c?.image ?? ''}`;
  if ((c?.args.length ?? 0) > 0) s += `\n Args:\t\t${(c?.args ?? []).map((a) => `${a} `).join('')}`;
  if ((c?.env.length ?? 0) > 0) s += `\n Env:\t\t${(c?.env ?? []).map((e) => `${e} `).join('')}`;
  if ((c?.dir ?? '') !== '') s += `\n Dir:\t\t${c?.dir}`;
  // Docker's CLI always sets Init, so its printer always shows it.
  s += `\n Init:\t\t${c?.init ?? false}`;
  if ((c?.user ?? '') !== '') s += `\n User: ${c?.user}`;
  if ((c?.capAdd.length ?? 0) > 0 || (c?.capDrop.length ?? 0) > 0) {
    s += '\nCapabilities:';
    if ((c?.capAdd.length ?? 0) > 0) s += `\n Add: ${(c?.capAdd ?? []).join(', ')}`;
    if ((c?.capDrop.length ?? 0) > 0) s += `\n Drop: ${(c?.capDrop ?? []).join(', ')}`;
  }
  const sysctls = sortedEntries(c?.sysctls ?? {});
  if (sysctls.length > 0) s += '\nSysCtls:' + sysctls.map(([k, v]) => `\n ${k}${v === '' ? '' : `: ${v}`}`).join('');
  const ulimits = [...(c?.ulimits ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  if (ulimits.length > 0) s += '\nUlimits:' + ulimits.map((u) => `\n ${u.name}: ${u.soft}:${u.hard}`).join('');
  if ((c?.mounts.length ?? 0) > 0) {
    s += '\nMounts:' + (c?.mounts ?? []).map((m) => `\n Target:\t${m.target}\n  Source:\t${m.source}\n  ReadOnly:\t${m.readOnly}\n  Type:\t\t${lower(m.type)}`).join('');
  }
  if ((c?.configs.length ?? 0) > 0) s += '\nConfigs:' + (c?.configs ?? []).map((r) => `\n Target:\t${r.file?.name ?? ''}\n  Source:\t${r.configName}`).join('');
  if ((c?.secrets.length ?? 0) > 0) s += '\nSecrets:' + (c?.secrets ?? []).map((r) => `\n Target:\t${r.file?.name ?? ''}\n  Source:\t${r.secretName}`).join('');
  const log = task?.logDriver;
  if (log !== undefined) {
    s += '\nLog Driver:';
    if (log.name !== '') s += `\n Name:\t\t${log.name}`;
    const logOpts = sortedEntries(log.options);
    if (logOpts.length > 0) s += '\n LogOpts:' + logOpts.map(([k, v]) => `\n  ${k}${v === '' ? '' : `:       ${v}`}`).join('');
    s += '\n';
  }

  const res = task?.resources;
  if (res !== undefined) s += '\nResources:';
  const reservations = res?.reservations;
  if ((reservations?.nanoCpus ?? 0) > 0 || (reservations?.memoryBytes ?? 0) > 0) {
    s += '\n Reservations:';
    if ((reservations?.nanoCpus ?? 0) > 0) s += `\n  CPU:\t\t${(reservations?.nanoCpus ?? 0) / 1e9}`;
    if ((reservations?.memoryBytes ?? 0) > 0) s += `\n  Memory:\t${bytesSize(reservations?.memoryBytes ?? 0)}`;
  }
  const limits = res?.limits;
  if ((limits?.nanoCpus ?? 0) > 0 || (limits?.memoryBytes ?? 0) > 0) {
    s += '\n Limits:';
    if ((limits?.nanoCpus ?? 0) > 0) s += `\n  CPU:\t\t${(limits?.nanoCpus ?? 0) / 1e9}`;
    if ((limits?.memoryBytes ?? 0) > 0) s += `\n  Memory:\t${bytesSize(limits?.memoryBytes ?? 0)}`;
  }
  const networks = (task?.networks ?? []).map((n) => opts.networkNames?.get(n.target) ?? n.target);
  if (networks.length > 0) s += `\nNetworks:${networks.map((n) => ` ${n}`).join('')} `;
  s += `\nEndpoint Mode:\t${lower(spec?.endpoint?.mode ?? 'VIP')}`;
  const ports = service.endpoint?.ports ?? [];
  if (ports.length > 0) {
    s += '\nPorts:' + ports.map((p) => `\n PublishedPort = ${p.publishedPort}\n  Protocol = ${lower(p.protocol)}\n  TargetPort = ${p.targetPort}\n  PublishMode = ${lower(p.publishMode)}`).join('') + ' ';
  }
  const health = c?.healthcheck;
  if (health !== undefined) {
    s += `\n Healthcheck:\n  Interval = ${formatGoDuration(health.intervalMs)}\n  Retries = ${health.retries}\n  StartPeriod =\t${formatGoDuration(health.startPeriodMs)}\n  Timeout =\t${formatGoDuration(health.timeoutMs)}`;
    if (health.test.length > 0) s += '\n  Tests:' + health.test.map((t) => `\n\t Test = ${t}`).join('') + ' ';
  }
  s += '\n';
  // The template's trailing newline plus the one Docker's writer adds after each service.
  return (s + '\n').split('\n').slice(0, -1);
}
