// Network sandboxes, as Kubernetes' pause containers: a task with overlay
// networks gets a tiny container (sandbox-image.ts) that only holds a network
// namespace. The overlay is plumbed into that namespace first, then the task
// container is created with NetworkMode "container:<sandbox>", so its process
// sees eth1.., the embedded DNS and its VIPs from its first instruction.
// Everything the engine keeps per network namespace moves from the task's
// create request to the sandbox's: the engine refuses Hostname, Dns,
// ExtraHosts, ExposedPorts and PortBindings on a "container:" container, and
// would ignore the rest (the joining container uses the sandbox's
// resolv.conf, hosts and hostname files). Pure.
import type Docker from 'dockerode';
import type { Task } from '../gen/index.js';
import { SANDBOX_ENTRYPOINT } from './sandbox-image.js';
import { containerName, LABELS } from './names.js';

/** On sandbox containers only: the name of the task container whose namespace it holds. */
export const SANDBOX_LABEL = 'shoal.sandbox';

/** Labels in Docker's own namespace (swarm, stack) are never copied to a sandbox. */
const DOCKER_LABEL_PREFIX = 'com.docker.';

/** The network mode of a container that joins another's network namespace. */
const JOIN_PREFIX = 'container:';

/** `SERVICE.SLOT.TASKID.sandbox`: next to its task container in `docker ps`. */
export function sandboxName(task: Task): string {
  return `${containerName(task)}.sandbox`;
}

/** The network mode that joins a sandbox's namespace. */
export function joinSandboxMode(sandboxId: string): string {
  return `${JOIN_PREFIX}${sandboxId}`;
}

/** The container whose namespace a container joined (the engine stores "container:<full ID>"); undefined for any other mode. */
export function joinedContainer(networkMode: string | undefined): string | undefined {
  return networkMode?.startsWith(JOIN_PREFIX) === true ? networkMode.slice(JOIN_PREFIX.length) : undefined;
}

/** Whether container labels are a sandbox's. */
export function isSandbox(labels: Record<string, string> | undefined): boolean {
  return labels?.[SANDBOX_LABEL] !== undefined;
}

/** The two create requests of a sandboxed task: the sandbox's now, the task's once the sandbox's ID is known. */
export interface SandboxedCreate {
  readonly sandbox: Docker.ContainerCreateOptions;
  task(sandboxId: string): Docker.ContainerCreateOptions;
}

const isNetSysctl = (key: string): boolean => key.startsWith('net.');

/**
 * Splits a task container's create request (container-config.ts) into the
 * sandbox's, which takes everything per network namespace, and the task's,
 * which joins it.
 */
export function splitForSandbox(create: Docker.ContainerCreateOptions, task: Task, image: string): SandboxedCreate {
  const host = create.HostConfig ?? {};
  const { Dns, DnsSearch, DnsOptions, ExtraHosts, PortBindings, NetworkMode, Sysctls, ...taskHost } = host;
  const netSysctls = Object.fromEntries(Object.entries(Sysctls ?? {}).filter(([key]) => isNetSysctl(key)));
  const otherSysctls = Object.fromEntries(Object.entries(Sysctls ?? {}).filter(([key]) => !isNetSysctl(key)));
  const { Hostname, ExposedPorts, ...taskConfig } = create;
  const labels = create.Labels ?? {};
  const sandbox: Docker.ContainerCreateOptions = {
    name: sandboxName(task),
    Image: image,
    Entrypoint: [SANDBOX_ENTRYPOINT],
    // The user's own labels (so their filters and cleanups see it) but none of Docker's (com.docker.*:
    // a stack's or service's containers are its tasks', not their sandboxes), the node's and task's, and what it is.
    Labels: {
      ...Object.fromEntries(Object.entries(task.spec?.container?.labels ?? {}).filter(([key]) => !key.startsWith(DOCKER_LABEL_PREFIX))),
      [LABELS.nodeId]: labels[LABELS.nodeId] ?? task.nodeId,
      [LABELS.taskId]: labels[LABELS.taskId] ?? task.id,
      [SANDBOX_LABEL]: create.name ?? containerName(task),
    },
    ...(Hostname !== undefined ? { Hostname } : {}),
    ...(ExposedPorts !== undefined ? { ExposedPorts } : {}),
    // It never stops by itself and has no handler for SIGTERM: stopping it is killing it.
    StopSignal: 'SIGKILL',
    HostConfig: {
      ...(NetworkMode !== undefined ? { NetworkMode } : {}),
      RestartPolicy: { Name: 'no' },
      ...(Dns !== undefined ? { Dns } : {}),
      ...(DnsSearch !== undefined ? { DnsSearch } : {}),
      ...(DnsOptions !== undefined ? { DnsOptions } : {}),
      ...(ExtraHosts !== undefined ? { ExtraHosts } : {}),
      ...(PortBindings !== undefined ? { PortBindings } : {}),
      ...(Object.keys(netSysctls).length > 0 ? { Sysctls: netSysctls } : {}),
    },
  };
  return {
    sandbox,
    task: (sandboxId) => ({
      ...taskConfig,
      HostConfig: {
        ...taskHost,
        NetworkMode: joinSandboxMode(sandboxId),
        ...(Object.keys(otherSysctls).length > 0 ? { Sysctls: otherSysctls } : {}),
      },
    }),
  };
}
