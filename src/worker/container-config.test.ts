import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { containerCreateOptions } from './container-config.js';
import { containerName, taskName } from './names.js';

const task = (container: Parameters<typeof codec.ContainerSpec.fromPartial>[0], extra: Parameters<typeof codec.Task.fromPartial>[0] = {}) =>
  codec.Task.fromPartial({
    id: 'task1',
    serviceId: 'svc1',
    nodeId: 'node1',
    slot: 2,
    serviceAnnotations: { name: 'web', labels: { 'com.docker.stack.namespace': 'shop' } },
    spec: { container },
    ...extra,
  });

describe('names', () => {
  it('names replicated and global tasks as Docker does', () => {
    expect(containerName(task({ image: 'x' }))).toBe('web.2.task1');
    expect(taskName(task({ image: 'x' }, { slot: 0 }))).toBe('web.node1');
  });
});

describe('containerCreateOptions', () => {
  it('labels the container for Docker tooling and for its node', () => {
    const o = containerCreateOptions(task({ image: 'x', labels: { a: 'b', 'com.docker.swarm.node.id': 'forged' } }));
    expect(o.name).toBe('web.2.task1');
    expect(o.Labels).toEqual({
      a: 'b',
      'com.docker.stack.namespace': 'shop',
      'com.docker.swarm.node.id': 'node1',
      'com.docker.swarm.service.id': 'svc1',
      'com.docker.swarm.service.name': 'web',
      'com.docker.swarm.task': '',
      'com.docker.swarm.task.id': 'task1',
      'com.docker.swarm.task.name': 'web.2.task1',
    });
  });

  it('maps command to the entrypoint and args to Cmd', () => {
    expect(containerCreateOptions(task({ image: 'x', command: ['sh', '-c'], args: ['echo hi'] }))).toMatchObject({ Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] });
    const argsOnly = containerCreateOptions(task({ image: 'x', args: ['--flag'] }));
    expect(argsOnly.Cmd).toEqual(['--flag']);
    expect(argsOnly.Entrypoint).toBeUndefined();
    expect(containerCreateOptions(task({ image: 'x', hasEntrypoint: true })).Entrypoint).toEqual(['']);
  });

  it('converts durations to nanoseconds and grace periods to whole seconds', () => {
    const o = containerCreateOptions(task({
      image: 'x',
      stopGracePeriodMs: 1_500,
      stopSignal: 'SIGUSR1',
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 1_000, timeoutMs: 500, startPeriodMs: 2_000, retries: 3 },
    }));
    expect(o.StopTimeout).toBe(2);
    expect(o.StopSignal).toBe('SIGUSR1');
    expect(o.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 5e8, StartPeriod: 2e9, Retries: 3 });
  });

  it('applies resources, security and mounts to the host config', () => {
    const withResources = containerCreateOptions(codec.Task.fromPartial({
      ...task({ image: 'x' }),
      spec: {
        container: {
          image: 'x',
          init: true,
          readOnly: true,
          capAdd: ['NET_ADMIN'],
          capDrop: ['MKNOD'],
          sysctls: { 'net.ipv4.ip_forward': '1' },
          ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
          dnsNameservers: ['10.0.0.2'],
          hosts: ['10.0.0.5 db database', 'cache:10.0.0.6'],
          mounts: [
            { type: 'BIND', source: '/srv', target: '/data', readOnly: true },
            { type: 'VOLUME', source: 'vol', target: '/v' },
            { type: 'TMPFS', target: '/t', tmpfsSizeBytes: 1_048_576, tmpfsMode: 0o700 },
          ],
        },
        resources: { limits: { nanoCpus: 500_000_000, memoryBytes: 64 << 20 }, reservations: { memoryBytes: 32 << 20 } },
      },
    }));
    expect(withResources.HostConfig).toMatchObject({
      NetworkMode: 'bridge',
      RestartPolicy: { Name: 'no' },
      Init: true,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Dns: ['10.0.0.2'],
      ExtraHosts: ['db:10.0.0.5', 'cache:10.0.0.6'],
      NanoCpus: 500_000_000,
      Memory: 64 << 20,
      MemoryReservation: 32 << 20,
      Mounts: [
        { Type: 'bind', Source: '/srv', Target: '/data', ReadOnly: true },
        { Type: 'volume', Source: 'vol', Target: '/v', ReadOnly: false },
        { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1_048_576, Mode: 0o700 } },
      ],
    });
  });
});

describe('containerCreateOptions on overlays', () => {
  it('points the container at the embedded DNS unless its spec names nameservers', () => {
    expect(containerCreateOptions(task({ image: 'x' }), { dnsServers: ['127.0.0.11'] }).HostConfig?.Dns).toEqual(['127.0.0.11']);
    expect(containerCreateOptions(task({ image: 'x', dnsNameservers: ['9.9.9.9'] }), { dnsServers: ['127.0.0.11'] }).HostConfig?.Dns).toEqual(['9.9.9.9']);
    expect(containerCreateOptions(task({ image: 'x' })).HostConfig?.Dns).toBeUndefined();
  });

  it('uses the network mode the node asks for (none: internal networks only), the default bridge otherwise', () => {
    expect(containerCreateOptions(task({ image: 'x' }), { networkMode: 'none' }).HostConfig?.NetworkMode).toBe('none');
    expect(containerCreateOptions(task({ image: 'x' }), { networkMode: undefined }).HostConfig?.NetworkMode).toBe('bridge');
  });

  it('binds host-mode ports on the engine and leaves ingress ports to the mesh', () => {
    const o = containerCreateOptions(task({ image: 'x' }, {
      endpoint: { ports: [
        { protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'HOST' },
        { protocol: 'UDP', targetPort: 53, publishedPort: 0, publishMode: 'HOST' },
        { protocol: 'TCP', targetPort: 443, publishedPort: 30443, publishMode: 'INGRESS' },
      ] },
    }));
    expect(o.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostPort: '8080' }], '53/udp': [{ HostPort: '' }] });
    expect(o.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
  });
});
