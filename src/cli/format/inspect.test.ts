import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { buildServiceSpec } from '../spec/create.js';
import { inspectJson } from './go-json.js';
import { configInspectJson, networkInspectJson, nodeInspectJson, secretInspectJson, VXLAN_OPTION } from './inspect-objects.js';
import { serviceInspectJson } from './inspect-service.js';
import { managerNode, NOW_MS, webService, workerNode } from './fixtures.test-support.js';

describe('service inspect JSON', () => {
  it('has Docker\'s shape for a service with defaults', () => {
    const json = serviceInspectJson(webService());
    expect(Object.keys(json)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Endpoint']);
    expect(json).toEqual({
      ID: 'kq9m3s5c1y2ddx0ufhmh2bjj5',
      Version: { Index: 12 },
      CreatedAt: '2026-01-02T02:54:05.678Z',
      UpdatedAt: '2026-01-02T02:59:05.678Z',
      Spec: {
        Name: 'web',
        Labels: { tier: 'front' },
        TaskTemplate: {
          ContainerSpec: { Image: 'nginx:1.27@sha256:0123abcd', Args: ['nginx', '-g', 'daemon off;'], Env: ['A=1', 'B=2'], Init: false, StopGracePeriod: 10_000_000_000, DNSConfig: {}, Isolation: 'default' },
          Resources: { Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 536_870_912 }, Reservations: {} },
          RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
          Placement: { Constraints: ['node.role==worker'] },
          Networks: [{ Target: 'net1id' }],
          ForceUpdate: 0,
          Runtime: 'container',
        },
        Mode: { Replicated: { Replicas: 3 } },
        UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first' },
        RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: 'stop-first' },
        EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
      },
      Endpoint: {
        Spec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
        Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
        VirtualIPs: [{ NetworkID: 'ingressid', Addr: '10.0.0.5/24' }],
      },
    });
    // Key order inside Spec follows Docker's struct order.
    expect(Object.keys(json.Spec as object)).toEqual(['Name', 'Labels', 'TaskTemplate', 'Mode', 'UpdateConfig', 'RollbackConfig', 'EndpointSpec']);
  });

  it('shows every container option, in Docker\'s field order', () => {
    const spec = buildServiceSpec({
      flags: {
        name: 'full', containerLabel: ['c=1'], entrypoint: '/entry', hostname: 'h', workdir: '/w', user: 'u', stopSignal: 'SIGINT', tty: true, readOnly: true, init: true,
        mount: ['type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700', 'type=bind,source=/s,target=/b,readonly'],
        healthCmd: 'true', healthInterval: '5s', healthRetries: '2', host: ['db:10.0.0.5'], dns: ['1.1.1.1'], secret: ['pw'], config: ['source=app,target=/app.conf,mode=0440'],
        sysctl: ['net.x=1'], capAdd: ['NET_ADMIN'], ulimit: ['nofile=1:2'], reserveMemory: '64m', genericResource: ['gpu=1'], restartWindow: '1m', placementPref: ['spread=node.labels.zone'],
        replicasMaxPerNode: '2', logDriver: 'json-file', logOpt: ['max-size=1m'], updateDelay: '10s', updateMaxFailureRatio: '0.2', mode: 'replicated',
      },
      image: 'busybox', args: [], environ: {}, readFile: () => '', random: () => 0,
    });
    const json = serviceInspectJson(codec.Service.fromPartial({ id: 's1', spec, updateStatus: { state: 'ROLLBACK_STARTED', startedAtMs: NOW_MS, message: 'update out of sequence' } }));
    const template = (json.Spec as { TaskTemplate: Record<string, unknown> }).TaskTemplate;
    const container = template.ContainerSpec as Record<string, unknown>;
    expect(Object.keys(container)).toEqual(['Image', 'Labels', 'Command', 'Hostname', 'Dir', 'User', 'Init', 'StopSignal', 'TTY', 'ReadOnly', 'Mounts', 'StopGracePeriod', 'Healthcheck', 'Hosts', 'DNSConfig', 'Secrets', 'Configs', 'Isolation', 'Sysctls', 'CapabilityAdd', 'Ulimits']);
    expect(container.Mounts).toEqual([{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1_048_576, Mode: 0o700 } }, { Type: 'bind', Source: '/s', Target: '/b', ReadOnly: true }]);
    expect(container.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 5_000_000_000, Retries: 2 });
    expect(container.Hosts).toEqual(['10.0.0.5 db']);
    expect(container.DNSConfig).toEqual({ Nameservers: ['1.1.1.1'] });
    expect(container.Secrets).toEqual([{ File: { Name: 'pw', UID: '0', GID: '0', Mode: 292 }, SecretID: '', SecretName: 'pw' }]);
    expect(container.Configs).toEqual([{ File: { Name: '/app.conf', UID: '0', GID: '0', Mode: 288 }, ConfigID: '', ConfigName: 'app' }]);
    expect(container.Ulimits).toEqual([{ Name: 'nofile', Hard: 2, Soft: 1 }]);
    expect(template.Resources).toEqual({ Limits: {}, Reservations: { MemoryBytes: 67_108_864, GenericResources: [{ DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } }] } });
    expect(template.RestartPolicy).toEqual({ Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0, Window: 60_000_000_000 });
    expect(template.Placement).toEqual({ Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 2 });
    expect(template.LogDriver).toEqual({ Name: 'json-file', Options: { 'max-size': '1m' } });
    expect((json.Spec as Record<string, unknown>).UpdateConfig).toEqual({ Parallelism: 1, Delay: 10_000_000_000, FailureAction: 'pause', Monitor: 5_000_000_000, MaxFailureRatio: 0.2, Order: 'stop-first' });
    expect(json.UpdateStatus).toEqual({ State: 'rollback_started', StartedAt: '2026-01-02T03:04:05.678Z', Message: 'update out of sequence' });
    expect(json.Endpoint).toEqual({ Spec: {} });
  });

  it('shows each mode as Docker does', () => {
    const withMode = (mode: object) => (serviceInspectJson(codec.Service.fromPartial({ id: 'x', spec: { mode } })).Spec as { Mode: unknown }).Mode;
    expect(withMode({ kind: 'GLOBAL' })).toEqual({ Global: {} });
    expect(withMode({ kind: 'REPLICATED_JOB', maxConcurrent: 2, totalCompletions: 5 })).toEqual({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 5 } });
    expect(withMode({ kind: 'GLOBAL_JOB' })).toEqual({ GlobalJob: {} });
  });

  it('prints as an indented array', () => {
    const text = inspectJson([serviceInspectJson(webService())]);
    expect(text.startsWith('[\n    {\n        "ID": "kq9m3s5c1y2ddx0ufhmh2bjj5",\n        "Version": {\n            "Index": 12\n        },')).toBe(true);
    expect(text.endsWith('\n    }\n]')).toBe(true);
  });
});

describe('node inspect JSON', () => {
  it('shows a manager', () => {
    expect(inspectJson([nodeInspectJson(managerNode())])).toBe(`[
    {
        "ID": "jkb4bbw94tecwq0g1bqpmdxbo",
        "Version": {
            "Index": 9
        },
        "CreatedAt": "2026-01-01T10:00:00.5Z",
        "UpdatedAt": "2026-01-01T10:05:00Z",
        "Spec": {
            "Labels": {
                "zone": "a"
            },
            "Role": "manager",
            "Availability": "active"
        },
        "Description": {
            "Hostname": "host1",
            "Platform": {
                "Architecture": "x86_64",
                "OS": "linux"
            },
            "Resources": {
                "NanoCPUs": 4000000000,
                "MemoryBytes": 8589934592
            },
            "Engine": {
                "EngineVersion": "28.0.1"
            },
            "TLSInfo": {}
        },
        "Status": {
            "State": "ready",
            "Addr": "192.0.2.11"
        },
        "ManagerStatus": {
            "Leader": true,
            "Reachability": "reachable",
            "Addr": "192.0.2.11:2377"
        }
    }
]`);
  });
  it('shows a worker without ManagerStatus and with empty labels', () => {
    const json = nodeInspectJson(workerNode('w1', 'host2', 'DOWN'));
    expect(json.ManagerStatus).toBeUndefined();
    expect(json.Spec).toEqual({ Labels: {}, Role: 'worker', Availability: 'active' });
    expect(json.Status).toEqual({ State: 'down', Addr: '192.0.2.12' });
    expect(json.Version).toEqual({});
  });
});

describe('network, secret and config inspect JSON', () => {
  it('shows a swarm network as the engine does', () => {
    const network = codec.Network.fromPartial({
      id: 'y0f4msmn4vmsk4kfu5xkzgk3i',
      meta: { createdAtMs: Date.UTC(2026, 0, 2, 3, 0, 0, 120) },
      spec: { annotations: { name: 'backend' }, driver: { name: 'overlay' }, attachable: true },
      driverState: { name: 'overlay', options: { [VXLAN_OPTION]: '4097' } },
      ipam: [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }],
    });
    expect(inspectJson([networkInspectJson(network)])).toBe(`[
    {
        "Name": "backend",
        "Id": "y0f4msmn4vmsk4kfu5xkzgk3i",
        "Created": "2026-01-02T03:00:00.12Z",
        "Scope": "swarm",
        "Driver": "overlay",
        "EnableIPv4": true,
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": null,
            "Config": [
                {
                    "Subnet": "10.0.1.0/24",
                    "Gateway": "10.0.1.1"
                }
            ]
        },
        "Internal": false,
        "Attachable": true,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": null,
        "Options": {
            "com.docker.network.driver.overlay.vxlanid_list": "4097"
        },
        "Labels": null
    }
]`);
  });
  it('never shows secret data', () => {
    const secret = codec.Secret.fromPartial({ id: 'ezkx', meta: { version: { index: 3 }, createdAtMs: NOW_MS, updatedAtMs: NOW_MS }, spec: { annotations: { name: 'pw', labels: { a: 'b' } }, data: new Uint8Array([1, 2, 3]) } });
    expect(secretInspectJson(secret)).toEqual({ ID: 'ezkx', Version: { Index: 3 }, CreatedAt: '2026-01-02T03:04:05.678Z', UpdatedAt: '2026-01-02T03:04:05.678Z', Spec: { Name: 'pw', Labels: { a: 'b' } } });
    const withDriver = codec.Secret.fromPartial({ id: 'e', spec: { annotations: { name: 'v' }, driver: { name: 'vault' } } });
    expect((secretInspectJson(withDriver).Spec as Record<string, unknown>).Driver).toEqual({ Name: 'vault' });
  });
  it('shows config data in base64', () => {
    const config = codec.Config.fromPartial({ id: 'pz2g', spec: { annotations: { name: 'app' }, data: new TextEncoder().encode('listen 80;\n') } });
    expect(configInspectJson(config)).toEqual({ ID: 'pz2g', Version: {}, CreatedAt: '1970-01-01T00:00:00Z', UpdatedAt: '1970-01-01T00:00:00Z', Spec: { Name: 'app', Labels: {}, Data: 'bGlzdGVuIDgwOwo=' } });
  });
});
