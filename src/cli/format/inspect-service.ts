import type { ContainerSpec, PortConfig, Service, ServiceMode, ServiceSpec, TaskSpec, UpdateConfig } from '../../gen/index.js';
import { goTimeJson } from './human.js';
import { lower, metaFields, ns, omitEmpty, sortedMap } from './inspect-common.js';

/** A port config as Docker's JSON shows it. */
export function portJson(p: PortConfig): Record<string, unknown> {
  return omitEmpty({ Name: p.name, Protocol: lower(p.protocol), TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: lower(p.publishMode) });
}

function containerJson(c: ContainerSpec): Record<string, unknown> {
  const health = c.healthcheck;
  return {
    ...omitEmpty({ Image: c.image, Labels: sortedMap(c.labels), Command: c.command, Args: c.args, Hostname: c.hostname, Env: c.env, Dir: c.dir, User: c.user }),
    Init: c.init,
    ...omitEmpty({
      StopSignal: c.stopSignal,
      TTY: c.tty,
      ReadOnly: c.readOnly,
      Mounts: c.mounts.map((m) => ({
        Type: lower(m.type),
        ...omitEmpty({ Source: m.source, Target: m.target, ReadOnly: m.readOnly }),
        ...(m.type === 'TMPFS' && (m.tmpfsSizeBytes > 0 || m.tmpfsMode > 0) ? { TmpfsOptions: omitEmpty({ SizeBytes: m.tmpfsSizeBytes, Mode: m.tmpfsMode }) } : {}),
      })),
    }),
    // 0 means "the default", which Docker inserts when inspecting.
    StopGracePeriod: ns(c.stopGracePeriodMs === 0 ? 10_000 : c.stopGracePeriodMs),
    ...(health === undefined
      ? {}
      : { Healthcheck: omitEmpty({ Test: health.test, Interval: ns(health.intervalMs), Timeout: ns(health.timeoutMs), StartPeriod: ns(health.startPeriodMs), Retries: health.retries }) }),
    ...omitEmpty({ Hosts: c.hosts }),
    DNSConfig: omitEmpty({ Nameservers: c.dnsNameservers }),
    ...omitEmpty({
      Secrets: c.secrets.map((s) => ({ File: { Name: s.file?.name ?? '', UID: s.file?.uid ?? '', GID: s.file?.gid ?? '', Mode: s.file?.mode ?? 0 }, SecretID: s.secretId, SecretName: s.secretName })),
      Configs: c.configs.map((s) => ({ File: { Name: s.file?.name ?? '', UID: s.file?.uid ?? '', GID: s.file?.gid ?? '', Mode: s.file?.mode ?? 0 }, ConfigID: s.configId, ConfigName: s.configName })),
    }),
    Isolation: 'default',
    ...omitEmpty({
      Sysctls: sortedMap(c.sysctls),
      CapabilityAdd: c.capAdd,
      CapabilityDrop: c.capDrop,
      Ulimits: c.ulimits.map((u) => ({ Name: u.name, Hard: u.hard, Soft: u.soft })),
    }),
  };
}

function taskTemplateJson(task: TaskSpec | undefined): Record<string, unknown> {
  const r = task?.resources;
  const restart = task?.restart;
  const placement = task?.placement;
  return {
    ...(task?.container === undefined ? {} : { ContainerSpec: containerJson(task.container) }),
    Resources: {
      Limits: omitEmpty({ NanoCPUs: r?.limits?.nanoCpus, MemoryBytes: r?.limits?.memoryBytes }),
      Reservations: omitEmpty({
        NanoCPUs: r?.reservations?.nanoCpus,
        MemoryBytes: r?.reservations?.memoryBytes,
        GenericResources: (r?.reservations?.generic ?? []).map((g) => ({ DiscreteResourceSpec: omitEmpty({ Kind: g.kind, Value: g.value }) })),
      }),
    },
    RestartPolicy: {
      Condition: lower(restart?.condition ?? 'ANY', true),
      Delay: ns(restart?.delayMs ?? 0),
      MaxAttempts: restart?.maxAttempts ?? 0,
      ...omitEmpty({ Window: ns(restart?.windowMs ?? 0) }),
    },
    Placement: omitEmpty({
      Constraints: placement?.constraints,
      Preferences: (placement?.preferences ?? []).map((p) => ({ Spread: { SpreadDescriptor: p.spreadDescriptor } })),
      MaxReplicas: placement?.maxReplicas,
      Platforms: (placement?.platforms ?? []).map((p) => omitEmpty({ Architecture: p.architecture, OS: p.os })),
    }),
    ...omitEmpty({ Networks: (task?.networks ?? []).map((n) => omitEmpty({ Target: n.target, Aliases: n.aliases })) }),
    ...(task?.logDriver === undefined ? {} : { LogDriver: omitEmpty({ Name: task.logDriver.name, Options: sortedMap(task.logDriver.options) }) }),
    ForceUpdate: task?.forceUpdate ?? 0,
    Runtime: 'container',
  };
}

function modeJson(mode: ServiceMode | undefined): Record<string, unknown> {
  switch (mode?.kind ?? 'REPLICATED') {
    case 'REPLICATED':
      return { Replicated: { Replicas: mode?.replicas ?? 1 } };
    case 'GLOBAL':
      return { Global: {} };
    case 'REPLICATED_JOB':
      return { ReplicatedJob: { MaxConcurrent: mode?.maxConcurrent ?? 1, TotalCompletions: mode?.totalCompletions ?? 1 } };
    case 'GLOBAL_JOB':
      return { GlobalJob: {} };
  }
}

function updateConfigJson(cfg: UpdateConfig): Record<string, unknown> {
  return {
    Parallelism: cfg.parallelism,
    ...omitEmpty({ Delay: ns(cfg.delayMs), FailureAction: lower(cfg.failureAction), Monitor: ns(cfg.monitorMs) }),
    // float32 in Go; print the short decimal a user typed (0.2, not 0.20000000298023224).
    MaxFailureRatio: Number(cfg.maxFailureRatio.toPrecision(7)),
    Order: lower(cfg.order, true),
  };
}

/** A service spec shaped like Docker's `Spec` (durations in ns, enums lower-case). */
export function serviceSpecJson(spec: ServiceSpec): Record<string, unknown> {
  return {
    ...omitEmpty({ Name: spec.annotations?.name }),
    Labels: sortedMap(spec.annotations?.labels),
    TaskTemplate: taskTemplateJson(spec.task),
    Mode: modeJson(spec.mode),
    ...(spec.update === undefined ? {} : { UpdateConfig: updateConfigJson(spec.update) }),
    ...(spec.rollback === undefined ? {} : { RollbackConfig: updateConfigJson(spec.rollback) }),
    EndpointSpec: { Mode: lower(spec.endpoint?.mode ?? 'VIP'), ...omitEmpty({ Ports: (spec.endpoint?.ports ?? []).map(portJson) }) },
  };
}

/** One service as `docker service inspect` prints it. */
export function serviceInspectJson(service: Service): Record<string, unknown> {
  const endpoint = service.endpoint;
  const status = service.updateStatus;
  return {
    ID: service.id,
    ...metaFields(service.meta),
    Spec: serviceSpecJson(service.spec ?? { dependsOn: [] }),
    ...(service.previousSpec === undefined ? {} : { PreviousSpec: serviceSpecJson(service.previousSpec) }),
    Endpoint: {
      Spec: endpoint?.spec === undefined ? {} : { Mode: lower(endpoint.spec.mode), ...omitEmpty({ Ports: endpoint.spec.ports.map(portJson) }) },
      ...omitEmpty({
        Ports: (endpoint?.ports ?? []).map(portJson),
        VirtualIPs: (endpoint?.virtualIps ?? []).map((v) => omitEmpty({ NetworkID: v.networkId, Addr: v.addr })),
      }),
    },
    ...(status === undefined || status.state === 'UNKNOWN'
      ? {}
      : {
          UpdateStatus: omitEmpty({
            State: lower(status.state),
            StartedAt: status.startedAtMs > 0 ? goTimeJson(status.startedAtMs) : undefined,
            CompletedAt: status.completedAtMs > 0 ? goTimeJson(status.completedAtMs) : undefined,
            Message: status.message,
          }),
        }),
  };
}
