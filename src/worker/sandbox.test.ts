import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { containerCreateOptions } from './container-config.js';
import { isSandbox, joinedContainer, SANDBOX_LABEL, sandboxName, splitForSandbox } from './sandbox.js';

const task = codec.Task.fromPartial({
  id: 'task1',
  serviceId: 'svc1',
  nodeId: 'node1',
  slot: 2,
  serviceAnnotations: { name: 'web' },
  endpoint: { ports: [{ protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'HOST' }] },
  spec: {
    container: {
      image: 'nginx',
      command: ['nginx'],
      labels: { team: 'a', 'com.docker.stack.namespace': 'shop' },
      hostname: 'web-host',
      env: ['A=1'],
      hosts: ['10.1.2.3 db'],
      dnsNameservers: ['1.1.1.1'],
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.shmmax': '1000000' },
      mounts: [{ type: 'TMPFS', target: '/scratch' }],
    },
  },
});

describe('splitForSandbox', () => {
  const create = containerCreateOptions(task, { networkMode: 'bridge' });
  const split = splitForSandbox(create, task, 'shoal/sandbox:abc');
  const joined = split.task('sbx123');

  it('gives the sandbox everything the engine keeps per network namespace', () => {
    expect(split.sandbox).toMatchObject({
      name: 'web.2.task1.sandbox',
      Image: 'shoal/sandbox:abc',
      Entrypoint: ['/pause'],
      Hostname: 'web-host',
      ExposedPorts: { '80/tcp': {} },
      StopSignal: 'SIGKILL',
      HostConfig: {
        NetworkMode: 'bridge',
        Dns: ['1.1.1.1'],
        ExtraHosts: ['db:10.1.2.3'],
        PortBindings: { '80/tcp': [{ HostPort: '8080' }] },
        Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
        RestartPolicy: { Name: 'no' },
      },
    });
    expect(split.sandbox.Labels).toEqual({ team: 'a', 'com.docker.swarm.node.id': 'node1', 'com.docker.swarm.task.id': 'task1', [SANDBOX_LABEL]: 'web.2.task1' });
    // Not a task container for Docker tooling: no service labels, nothing of the task's own.
    expect(split.sandbox.Env).toBeUndefined();
    expect(split.sandbox.HostConfig?.Mounts).toBeUndefined();
  });

  it('leaves the task container nothing the engine refuses on a "container:" network mode, and joins the sandbox', () => {
    expect(joined.HostConfig?.NetworkMode).toBe('container:sbx123');
    for (const key of ['Hostname', 'ExposedPorts', 'MacAddress'] as const) expect(joined[key]).toBeUndefined();
    for (const key of ['Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'PortBindings', 'PublishAllPorts', 'Links'] as const) expect(joined.HostConfig?.[key]).toBeUndefined();
    // Sysctls of other namespaces (IPC) stay with the task.
    expect(joined.HostConfig?.Sysctls).toEqual({ 'kernel.shmmax': '1000000' });
  });

  it('keeps the rest of the task container as it was', () => {
    expect(joined).toMatchObject({ name: 'web.2.task1', Image: 'nginx', Entrypoint: ['nginx'], Env: ['A=1'], Labels: create.Labels });
    expect(joined.HostConfig?.Mounts).toEqual(create.HostConfig?.Mounts);
    expect(joined.HostConfig?.RestartPolicy).toEqual({ Name: 'no' });
  });

  it('omits what the task does not set', () => {
    const plain = codec.Task.fromPartial({ ...task, endpoint: undefined, spec: { container: { image: 'x' } } });
    const s = splitForSandbox(containerCreateOptions(plain, { networkMode: 'none', dnsServers: ['127.0.0.11'] }), plain, 'img');
    expect(s.sandbox.HostConfig).toEqual({ NetworkMode: 'none', RestartPolicy: { Name: 'no' }, Dns: ['127.0.0.11'] });
    expect(s.sandbox.Hostname).toBeUndefined();
    expect(s.task('x').HostConfig?.Sysctls).toBeUndefined();
  });
});

describe('sandbox names and labels', () => {
  it('names the sandbox after its task container', () => {
    expect(sandboxName(task)).toBe('web.2.task1.sandbox');
  });

  it('reads the joined container from a network mode', () => {
    expect(joinedContainer('container:abc')).toBe('abc');
    expect(joinedContainer('bridge')).toBeUndefined();
    expect(joinedContainer(undefined)).toBeUndefined();
  });

  it('tells sandboxes by their label', () => {
    expect(isSandbox({ [SANDBOX_LABEL]: 'web.2.task1' })).toBe(true);
    expect(isSandbox({ 'com.docker.swarm.task.id': 'task1' })).toBe(false);
  });
});
