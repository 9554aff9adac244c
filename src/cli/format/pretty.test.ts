import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { formatNodePretty } from './pretty-node.js';
import { formatConfigPretty, formatSecretPretty } from './pretty-objects.js';
import { formatServicePretty } from './pretty-service.js';
import { managerNode, NOW_MS, webService, workerNode } from './fixtures.test-support.js';

describe('service inspect --pretty', () => {
  it('follows Docker\'s template for a typical service', () => {
    expect(formatServicePretty(webService(), { nowMs: NOW_MS, networkNames: new Map([['net1id', 'backend']]) }).join('\n') + '\n').toBe(
      [
        '',
        'ID:\t\tkq9m3s5c1y2ddx0ufhmh2bjj5',
        'Name:\t\tweb',
        'Labels:',
        ' tier=front',
        'Service Mode:\tReplicated',
        ' Replicas:\t3',
        'Placement:',
        ' Constraints:\t[node.role==worker]',
        'UpdateConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Update order:      stop-first',
        'RollbackConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Rollback order:    stop-first',
        'ContainerSpec:',
        ' Image:\t\tnginx:1.27@sha256:0123abcd',
        ' Args:\t\tnginx -g daemon off; ',
        ' Env:\t\tA=1 B=2 ',
        ' Init:\t\tfalse',
        'Resources:',
        ' Limits:',
        '  CPU:\t\t1.5',
        '  Memory:\t512MiB',
        'Networks: backend ',
        'Endpoint Mode:\tvip',
        'Ports:',
        ' PublishedPort = 8080',
        '  Protocol = tcp',
        '  TargetPort = 80',
        '  PublishMode = ingress ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('shows the optional sections in Docker\'s order and spacing', () => {
    const service = codec.Service.fromPartial({
      id: 'abc',
      spec: {
        annotations: { name: 'full' },
        mode: { kind: 'GLOBAL' },
        task: {
          container: {
            image: 'busybox', dir: '/w', user: 'nobody', capAdd: ['CAP_NET_ADMIN', 'CAP_SYS_TIME'], capDrop: ['CAP_MKNOD'], sysctls: { 'net.b': '2', 'net.a': '1' },
            ulimits: [{ name: 'nproc', soft: 5, hard: 6 }, { name: 'core', soft: 0, hard: 0 }],
            mounts: [{ type: 'BIND', source: '/s', target: '/b', readOnly: true }],
            configs: [{ configName: 'app', file: { name: '/app.conf' } }],
            secrets: [{ secretName: 'pw', file: { name: 'pw' } }],
            healthcheck: { test: ['CMD-SHELL', 'curl -f localhost'], intervalMs: 5000, timeoutMs: 2000, retries: 3 },
          },
          resources: { reservations: { nanoCpus: 250_000_000, memoryBytes: 64 * 1024 ** 2 }, limits: { nanoCpus: 2_000_000_000 } },
          placement: { preferences: [{ spreadDescriptor: 'node.labels.zone' }], maxReplicas: 2 },
          logDriver: { name: 'json-file', options: { 'max-size': '10m' } },
        },
        update: { parallelism: 2, delayMs: 10_000, failureAction: 'ROLLBACK', monitorMs: 0, maxFailureRatio: 0.20000000298023224, order: 'START_FIRST' },
        endpoint: { mode: 'DNSRR' },
      },
      updateStatus: { state: 'COMPLETED', startedAtMs: NOW_MS - 120_000, completedAtMs: NOW_MS - 30_000, message: 'update completed' },
    });
    expect(formatServicePretty(service, { nowMs: NOW_MS })).toEqual([
      '',
      'ID:\t\tabc',
      'Name:\t\tfull',
      'Service Mode:\tGlobal',
      'UpdateStatus:',
      ' State:\t\tcompleted',
      ' Started:\t2 minutes ago',
      ' Completed:\t30 seconds ago',
      ' Message:\tupdate completed',
      'Placement:',
      ' Preferences:   [spread=node.labels.zone]',
      ' Max Replicas Per Node:   2',
      'UpdateConfig:',
      ' Parallelism:\t2',
      ' Delay:\t\t10s',
      ' On failure:\trollback',
      ' Max failure ratio: 0.2',
      ' Update order:      start-first',
      'ContainerSpec:',
      ' Image:\t\tbusybox',
      ' Dir:\t\t/w',
      ' Init:\t\tfalse',
      ' User: nobody',
      'Capabilities:',
      ' Add: CAP_NET_ADMIN, CAP_SYS_TIME',
      ' Drop: CAP_MKNOD',
      'SysCtls:',
      ' net.a: 1',
      ' net.b: 2',
      'Ulimits:',
      ' core: 0:0',
      ' nproc: 5:6',
      'Mounts:',
      ' Target:\t/b',
      '  Source:\t/s',
      '  ReadOnly:\ttrue',
      '  Type:\t\tbind',
      'Configs:',
      ' Target:\t/app.conf',
      '  Source:\tapp',
      'Secrets:',
      ' Target:\tpw',
      '  Source:\tpw',
      'Log Driver:',
      ' Name:\t\tjson-file',
      ' LogOpts:',
      '  max-size:       10m',
      '',
      'Resources:',
      ' Reservations:',
      '  CPU:\t\t0.25',
      '  Memory:\t64MiB',
      ' Limits:',
      '  CPU:\t\t2',
      'Endpoint Mode:\tdnsrr',
      ' Healthcheck:',
      '  Interval = 5s',
      '  Retries = 3',
      '  StartPeriod =\t0s',
      '  Timeout =\t2s',
      '  Tests:',
      '\t Test = CMD-SHELL',
      '\t Test = curl -f localhost ',
      '',
    ]);
  });

  it('shows nothing after "Service Mode:" for jobs', () => {
    const job = codec.Service.fromPartial({ id: 'j', spec: { annotations: { name: 'job' }, mode: { kind: 'REPLICATED_JOB', totalCompletions: 3 } } });
    expect(formatServicePretty(job, { nowMs: NOW_MS }).slice(0, 5)).toEqual(['', 'ID:\t\tj', 'Name:\t\tjob', 'Service Mode:', 'Placement:']);
  });
});

describe('node inspect --pretty', () => {
  it('follows Docker\'s template for a manager', () => {
    expect(formatNodePretty(managerNode())).toEqual([
      'ID:\t\t\tjkb4bbw94tecwq0g1bqpmdxbo',
      'Labels:',
      ' - zone=a',
      'Hostname:              \thost1',
      'Joined at:             \t2026-01-01 10:00:00.5 +0000 utc',
      'Status:',
      ' State:\t\t\tReady',
      ' Availability:         \tActive',
      ' Address:\t\t192.0.2.11',
      'Manager Status:',
      ' Address:\t\t192.0.2.11:2377',
      ' Raft Status:\t\tReachable',
      ' Leader:\t\tYes',
      'Platform:',
      ' Operating System:\tlinux',
      ' Architecture:\t\tx86_64',
      'Resources:',
      ' CPUs:\t\t\t4',
      ' Memory:\t\t8GiB',
      'Engine Version:\t\t28.0.1',
    ]);
  });
  it('shows a named worker with a status message and engine labels', () => {
    const node = codec.Node.fromPartial({ ...workerNode('w1', 'host2', 'DOWN'), spec: { annotations: { name: 'edge' }, availability: 'DRAIN' }, status: { state: 'DOWN', message: 'heartbeat failure' }, description: { hostname: 'host2', engineVersion: '28.0.1', engineLabels: { ssd: 'true' } } });
    expect(formatNodePretty(node)).toEqual([
      'ID:\t\t\tw1',
      'Name:\t\t\tedge',
      'Hostname:              \thost2',
      'Joined at:             \t1970-01-01 00:00:00 +0000 utc',
      'Status:',
      ' State:\t\t\tDown',
      ' Message:              \tHeartbeat failure',
      ' Availability:         \tDrain',
      'Platform:',
      ' Operating System:\t',
      ' Architecture:\t\t',
      'Resources:',
      ' CPUs:\t\t\t0',
      ' Memory:\t\t',
      'Engine Version:\t\t28.0.1',
      'Engine Labels:',
      ' - ssd=true',
    ]);
  });
});

describe('secret and config inspect --pretty', () => {
  const meta = { createdAtMs: Date.UTC(2026, 0, 1), updatedAtMs: Date.UTC(2026, 0, 1, 0, 0, 1) };
  it('follow Docker\'s templates', () => {
    expect(formatSecretPretty(codec.Secret.fromPartial({ id: 'secretID', meta, spec: { annotations: { name: 'secretName', labels: { lbl1: 'value1' } }, driver: { name: 'driver' } } }))).toEqual([
      'ID:              secretID',
      'Name:              secretName',
      'Labels:',
      ' - lbl1=value1',
      'Driver:            driver',
      'Created at:        2026-01-01 00:00:00 +0000 utc',
      'Updated at:        2026-01-01 00:00:01 +0000 utc',
    ]);
    expect(formatConfigPretty(codec.Config.fromPartial({ id: 'configID', meta, spec: { annotations: { name: 'configName' }, data: new TextEncoder().encode('payload here') } }))).toEqual([
      'ID:\t\t\tconfigID',
      'Name:\t\t\tconfigName',
      'Created at:            \t2026-01-01 00:00:00 +0000 utc',
      'Updated at:            \t2026-01-01 00:00:01 +0000 utc',
      'Data:',
      'payload here',
    ]);
  });
});
