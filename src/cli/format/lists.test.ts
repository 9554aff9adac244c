import { describe, expect, it } from 'vitest';
import { codec, type ServiceStatusCounts } from '../../gen/index.js';
import { formatConfigList, formatNetworkList, formatSecretList, formatStackList, summarizeStacks } from './object-lists.js';
import { formatNodeList } from './node-list.js';
import { formatServiceList } from './service-list.js';
import { listFormat, renderTable } from './table.js';
import { formatTaskList, nodeNamesById } from './task-list.js';
import { managerNode, NOW_MS, serviceOf, task, webService, workerNode } from './fixtures.test-support.js';

describe('tables', () => {
  it('pads columns to max(10, widest + 3) and leaves the last unpadded', () => {
    expect(renderTable(['NAME', 'SERVICES'], [['web', '2'], ['monitoring', '10']])).toEqual(['NAME         SERVICES', 'web          2', 'monitoring   10']);
    // Empty trailing cells are still padded, as Docker's tabwriter does.
    expect(renderTable(['A', 'B', 'C'], [['x', '', '']])).toEqual(['A         B         C', 'x                   ']);
    expect(renderTable(['ID'], [])).toEqual(['ID']);
  });
  it('picks the list format from -q and --format', () => {
    expect(listFormat({})).toBe('table');
    expect(listFormat({ format: 'table' })).toBe('table');
    expect(listFormat({ quiet: true })).toBe('quiet');
    expect(listFormat({ quiet: true, format: 'json' })).toBe('json');
    expect(listFormat({ format: '{{.ID}}', quiet: true })).toEqual({ template: '{{.ID}}', table: false });
    expect(listFormat({ format: 'table {{.ID}}\\t{{.Name}} ' })).toEqual({ template: '{{.ID}}\t{{.Name}}', table: true });
  });
});

const services = [
  webService(),
  serviceOf('a1b2c3d4e5f6g7h8i9j0k1l2m', 'api', { kind: 'GLOBAL' }, 'docker.io/library/redis:7'),
  serviceOf('b1b2c3d4e5f6g7h8i9j0k1l2m', 'batch', { kind: 'REPLICATED_JOB', totalCompletions: 3, maxConcurrent: 1 }, 'busybox'),
  serviceOf('c1b2c3d4e5f6g7h8i9j0k1l2m', 'lim', { kind: 'REPLICATED', replicas: 3 }, 'busybox', 1),
  serviceOf('d1b2c3d4e5f6g7h8i9j0k1l2m', 'gj', { kind: 'GLOBAL_JOB' }, 'busybox'),
];
const statuses: Record<string, ServiceStatusCounts> = {
  kq9m3s5c1y2ddx0ufhmh2bjj5: { runningTasks: 2, desiredTasks: 3, completedTasks: 0 },
  a1b2c3d4e5f6g7h8i9j0k1l2m: { runningTasks: 3, desiredTasks: 3, completedTasks: 0 },
  b1b2c3d4e5f6g7h8i9j0k1l2m: { runningTasks: 1, desiredTasks: 3, completedTasks: 2 },
  c1b2c3d4e5f6g7h8i9j0k1l2m: { runningTasks: 3, desiredTasks: 3, completedTasks: 0 },
  d1b2c3d4e5f6g7h8i9j0k1l2m: { runningTasks: 1, desiredTasks: 2, completedTasks: 1 },
};

describe('service ls', () => {
  it('prints Docker\'s table, sorted by name', () => {
    expect(formatServiceList(services, statuses, 'table')).toEqual([
      'ID             NAME      MODE             REPLICAS               IMAGE        PORTS',
      'a1b2c3d4e5f6   api       global           3/3                    redis:7      ',
      'b1b2c3d4e5f6   batch     replicated job   1/3 (2/3 completed)    busybox      ',
      'd1b2c3d4e5f6   gj        global job       1/2 (1/3 completed)    busybox      ',
      'c1b2c3d4e5f6   lim       replicated       3/3 (max 1 per node)   busybox      ',
      'kq9m3s5c1y2d   web       replicated       2/3                    nginx:1.27   *:8080->80/tcp',
    ]);
  });
  it('prints truncated IDs with -q', () => {
    expect(formatServiceList(services, statuses, 'quiet')).toEqual(['a1b2c3d4e5f6', 'b1b2c3d4e5f6', 'd1b2c3d4e5f6', 'c1b2c3d4e5f6', 'kq9m3s5c1y2d']);
  });
  it('prints one JSON object per line with Docker\'s keys, HTML-escaped like Go', () => {
    const lines = formatServiceList(services, statuses, 'json');
    expect(lines[0]).toBe('{"ID":"a1b2c3d4e5f6","Image":"redis:7","Mode":"global","Name":"api","Ports":"","Replicas":"3/3"}');
    expect(lines[4]).toBe('{"ID":"kq9m3s5c1y2d","Image":"nginx:1.27","Mode":"replicated","Name":"web","Ports":"*:8080-\\u003e80/tcp","Replicas":"2/3"}');
  });
  it('shows 0/0 when no counts are known', () => {
    expect(formatServiceList([services[3] ?? webService()], {}, 'json')[0]).toContain('"Replicas":"0/0 (max 1 per node)"');
  });
});

const tasks = [
  task('t1aaaaaaaaaaaaaaaaaaaaaaa', 1, 'n1', 'RUNNING', 'RUNNING', 5 * 60_000),
  task('t2aaaaaaaaaaaaaaaaaaaaaaa', 2, 'n2', 'RUNNING', 'RUNNING', 3000),
  task('t3aaaaaaaaaaaaaaaaaaaaaaa', 1, 'n2', 'FAILED', 'SHUTDOWN', 10 * 60_000, 'task: non-zero exit (1): something went badly wrong'),
  task('t4aaaaaaaaaaaaaaaaaaaaaaa', 10, 'n1', 'PENDING', 'RUNNING', 500),
];
const nodeNames = new Map([['n1', 'host1'], ['n2', 'host2']]);

describe('service ps', () => {
  it('prints Docker\'s table: natural order, history indented, errors quoted and cut', () => {
    expect(formatTaskList(tasks, { format: 'table', nowMs: NOW_MS, nodeNames })).toEqual([
      'ID             NAME        IMAGE        NODE      DESIRED STATE   CURRENT STATE                    ERROR                              PORTS',
      't1aaaaaaaaaa   web.1       nginx:1.27   host1     Running         Running 5 minutes ago                                               ',
      't3aaaaaaaaaa    \\_ web.1   nginx:1.27   host2     Shutdown        Failed 10 minutes ago            "task: non-zero exit (1): some…"   ',
      't2aaaaaaaaaa   web.2       nginx:1.27   host2     Running         Running 3 seconds ago                                               ',
      't4aaaaaaaaaa   web.10      nginx:1.27   host1     Running         Pending less than a second ago                                      ',
    ]);
  });
  it('prints JSON lines without the history indent', () => {
    expect(formatTaskList(tasks, { format: 'json', nowMs: NOW_MS, nodeNames })[1]).toBe(
      '{"CurrentState":"Failed 10 minutes ago","DesiredState":"Shutdown","Error":"\\"task: non-zero exit (1): some…\\"","ID":"t3aaaaaaaaaa","Image":"nginx:1.27","Name":"web.1","Node":"host2","Ports":""}',
    );
  });
  it('honours --no-trunc, --no-resolve and -q', () => {
    const [row] = formatTaskList([tasks[2] ?? tasks[0] ?? task('x', 1, 'n', 'NEW', 'RUNNING', 0)], { format: 'json', nowMs: NOW_MS, noTrunc: true, noResolve: true, nodeNames });
    expect(JSON.parse(row ?? '{}')).toMatchObject({ ID: 't3aaaaaaaaaaaaaaaaaaaaaaa', Image: 'nginx:1.27@sha256:0123abcd', Name: 'kq9m3s5c1y2ddx0ufhmh2bjj5.1', Node: 'n2', Error: '"task: non-zero exit (1): something went badly wrong"' });
    expect(formatTaskList(tasks, { format: 'quiet', nowMs: NOW_MS })).toEqual(['t1aaaaaaaaaa', 't3aaaaaaaaaa', 't2aaaaaaaaaa', 't4aaaaaaaaaa']);
  });
  it('resolves node names as Docker does: spec name, else hostname', () => {
    const named = codec.Node.fromPartial({ id: 'n1', spec: { annotations: { name: 'edge' } }, description: { hostname: 'host1' } });
    expect(nodeNamesById([named, workerNode('n2', 'host2')])).toEqual(new Map([['n1', 'edge'], ['n2', 'host2']]));
  });
  it('names global tasks SERVICE.NODEID and shows host-mode ports', () => {
    const global = codec.Task.fromPartial({
      ...task('g1', 0, 'node9', 'RUNNING', 'RUNNING', 2 * 3_600_000),
      endpoint: { ports: [{ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'HOST' }, { targetPort: 53, publishedPort: 30001, protocol: 'UDP', publishMode: 'INGRESS' }] },
    });
    expect(formatTaskList([global], { format: 'json', nowMs: NOW_MS, serviceNames: new Map([['kq9m3s5c1y2ddx0ufhmh2bjj5', 'edge']]) })).toEqual([
      '{"CurrentState":"Running 2 hours ago","DesiredState":"Running","Error":"","ID":"g1","Image":"nginx:1.27","Name":"edge.node9","Node":"node9","Ports":"*:8080-\\u003e80/tcp"}',
    ]);
  });
});

describe('node ls', () => {
  const nodes = [workerNode('zzz4bbw94tecwq0g1bqpmdxbo', 'host2', 'DOWN'), managerNode()];
  it('prints Docker\'s table with the current node starred', () => {
    expect(formatNodeList(nodes, 'jkb4bbw94tecwq0g1bqpmdxbo', 'table')).toEqual([
      'ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION',
      'jkb4bbw94tecwq0g1bqpmdxbo *   host1      Ready     Active         Leader           28.0.1',
      'zzz4bbw94tecwq0g1bqpmdxbo     host2      Down      Active                          28.0.1',
    ]);
  });
  it('prints JSON lines and IDs', () => {
    expect(formatNodeList(nodes, 'jkb4bbw94tecwq0g1bqpmdxbo', 'json')).toEqual([
      '{"Availability":"Active","EngineVersion":"28.0.1","Hostname":"host1","ID":"jkb4bbw94tecwq0g1bqpmdxbo","ManagerStatus":"Leader","Self":true,"Status":"Ready","TLSStatus":"Ready"}',
      '{"Availability":"Active","EngineVersion":"28.0.1","Hostname":"host2","ID":"zzz4bbw94tecwq0g1bqpmdxbo","ManagerStatus":"","Self":false,"Status":"Down","TLSStatus":"Ready"}',
    ]);
    expect(formatNodeList(nodes, '', 'quiet')).toEqual(['jkb4bbw94tecwq0g1bqpmdxbo', 'zzz4bbw94tecwq0g1bqpmdxbo']);
  });
  it('shows reachability of other managers', () => {
    const follower = codec.Node.fromPartial({ ...managerNode(), managerStatus: { leader: false, reachability: 'UNREACHABLE' } });
    expect(formatNodeList([follower], '', 'json')[0]).toContain('"ManagerStatus":"Unreachable"');
  });
});

describe('network, secret, config and stack ls', () => {
  const network = (id: string, name: string) =>
    codec.Network.fromPartial({ id, meta: { createdAtMs: Date.UTC(2026, 0, 2, 3, 0, 0, 120) }, spec: { annotations: { name, labels: { b: '2', a: '1' } }, driver: { name: 'overlay' } } });
  it('network ls', () => {
    const nets = [network('y0f4msmn4vmsk4kfu5xkzgk3i', 'backend'), network('a1ingress0000000000000000', 'ingress')];
    expect(formatNetworkList(nets, 'table')).toEqual(['NETWORK ID     NAME      DRIVER    SCOPE', 'y0f4msmn4vms   backend   overlay   swarm', 'a1ingress000   ingress   overlay   swarm']);
    expect(formatNetworkList(nets, 'quiet', true)).toEqual(['y0f4msmn4vmsk4kfu5xkzgk3i', 'a1ingress0000000000000000']);
    expect(formatNetworkList(nets, 'json')[0]).toBe(
      '{"CreatedAt":"2026-01-02 03:00:00.12 +0000 UTC","Driver":"overlay","ID":"y0f4msmn4vms","IPv4":"true","IPv6":"false","Internal":"false","Labels":"a=1,b=2","Name":"backend","Scope":"swarm"}',
    );
  });
  it('secret ls and config ls', () => {
    const meta = { createdAtMs: NOW_MS - 3 * 3_600_000, updatedAtMs: NOW_MS - 90_000 };
    const secret = codec.Secret.fromPartial({ id: 'ezkx4xqzbfb0rm0ah0rydf7ak', meta, spec: { annotations: { name: 'db_pass', labels: {} } } });
    expect(formatSecretList([secret], 'table', NOW_MS)).toEqual(['ID                          NAME      DRIVER    CREATED       UPDATED', 'ezkx4xqzbfb0rm0ah0rydf7ak   db_pass             3 hours ago   About a minute ago']);
    expect(formatSecretList([secret], 'json', NOW_MS)).toEqual(['{"CreatedAt":"3 hours ago","Driver":"","ID":"ezkx4xqzbfb0rm0ah0rydf7ak","Labels":"","Name":"db_pass","UpdatedAt":"About a minute ago"}']);
    const config = codec.Config.fromPartial({ id: 'pz2g4vq7bxk1oz1gmhz39u3tj', meta, spec: { annotations: { name: 'nginx_conf' } } });
    expect(formatConfigList([config], 'table', NOW_MS)).toEqual(['ID                          NAME         CREATED       UPDATED', 'pz2g4vq7bxk1oz1gmhz39u3tj   nginx_conf   3 hours ago   About a minute ago']);
    expect(formatConfigList([config], 'json', NOW_MS)).toEqual(['{"CreatedAt":"3 hours ago","ID":"pz2g4vq7bxk1oz1gmhz39u3tj","Labels":"","Name":"nginx_conf","UpdatedAt":"About a minute ago"}']);
    expect(formatConfigList([config], 'quiet', NOW_MS)).toEqual(['pz2g4vq7bxk1oz1gmhz39u3tj']);
  });
  it('stack ls', () => {
    const labelled = (ns: string) => codec.Service.fromPartial({ spec: { annotations: { labels: { 'com.docker.stack.namespace': ns } } } });
    const stacks = summarizeStacks([labelled('web'), labelled('monitoring'), labelled('web'), codec.Service.fromPartial({})]);
    expect(formatStackList(stacks, 'table')).toEqual(['NAME         SERVICES', 'monitoring   1', 'web          2']);
    expect(formatStackList(stacks, 'json')).toEqual(['{"Name":"monitoring","Services":"1"}', '{"Name":"web","Services":"2"}']);
  });
});
