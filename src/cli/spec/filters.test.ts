import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { ACCEPTED_FILTERS, configMatches, networkMatches, nodeMatches, parseFilterFlags, secretMatches, serviceMatches, taskMatches } from './filters.js';
import { usageError } from './usage-error.test-support.js';

const usage = usageError;

describe('filter flags', () => {
  it('group values by lower-cased name', () => {
    expect(parseFilterFlags(['name=web', ' Name = api ', 'label=a', ''], ACCEPTED_FILTERS.service)).toEqual(new Map([['name', ['web', 'api']], ['label', ['a']]]));
    expect(parseFilterFlags(undefined, ACCEPTED_FILTERS.service).size).toBe(0);
  });
  it('refuse malformed and unknown filters', () => {
    expect(usage(() => parseFilterFlags(['web'], ACCEPTED_FILTERS.service))).toBe('invalid argument "web" for "--filter" flag: bad format of filter (expected name=value)');
    expect(usage(() => parseFilterFlags(['color=red'], ACCEPTED_FILTERS.service))).toBe("invalid filter 'color'; use one of id, label, mode, name");
  });
});

describe('matching', () => {
  const f = (...values: string[]) => parseFilterFlags(values, ['id', 'name', 'names', 'label', 'mode', 'desired-state', 'service', 'node', 'role', 'membership', 'node.label', 'driver', 'scope', 'type']);
  const web = codec.Service.fromPartial({ id: 'abc123', spec: { annotations: { name: 'web', labels: { tier: 'front', team: '' } }, mode: { kind: 'GLOBAL' } } });
  it('services', () => {
    expect(serviceMatches(web, f())).toBe(true);
    expect(serviceMatches(web, f('name=we'))).toBe(true);
    expect(serviceMatches(web, f('name=eb'))).toBe(false);
    expect(serviceMatches(web, f('name=api', 'name=web'))).toBe(true);
    expect(serviceMatches(web, f('id=abc'))).toBe(true);
    expect(serviceMatches(web, f('mode=global'))).toBe(true);
    expect(serviceMatches(web, f('mode=replicated'))).toBe(false);
    expect(serviceMatches(web, f('label=tier'))).toBe(true);
    expect(serviceMatches(web, f('label=tier=front', 'label=team'))).toBe(true);
    expect(serviceMatches(web, f('label=tier=back'))).toBe(false);
    expect(serviceMatches(web, f('label=tier='))).toBe(true);
    expect(serviceMatches(web, f('label=zone'))).toBe(false);
  });
  it('tasks', () => {
    const task = codec.Task.fromPartial({ id: 't1xyz', serviceId: 'abc123', nodeId: 'n1', desiredState: 'RUNNING' });
    expect(taskMatches(task, 'web.1', f('desired-state=running', 'service=abc123', 'node=n1', 'name=web.', 'id=t1'))).toBe(true);
    expect(taskMatches(task, 'web.1', f('desired-state=shutdown'))).toBe(false);
    expect(taskMatches(task, 'web.1', f('node=n2'))).toBe(false);
    expect(usage(() => taskMatches(task, 'web.1', f('desired-state=sleeping')))).toBe("Invalid desired-state filter: 'sleeping'; use running, shutdown or accepted");
  });
  it('nodes', () => {
    const node = codec.Node.fromPartial({ id: 'n1abc', spec: { desiredRole: 'MANAGER', annotations: { labels: { zone: 'a' } } }, description: { hostname: 'host1', engineLabels: { ssd: 'true' } } });
    expect(nodeMatches(node, f('role=manager', 'name=host', 'id=n1', 'label=ssd=true', 'node.label=zone=a', 'membership=accepted'))).toBe(true);
    expect(nodeMatches(node, f('role=worker'))).toBe(false);
    expect(nodeMatches(node, f('node.label=ssd'))).toBe(false);
    expect(usage(() => nodeMatches(node, f('role=boss')))).toBe("Invalid role filter: 'boss'; use worker or manager");
    expect(usage(() => nodeMatches(node, f('membership=x')))).toBe("Invalid membership filter: 'x'; use accepted or pending");
  });
  it('networks, secrets and configs', () => {
    const net = codec.Network.fromPartial({ id: 'y0f4', spec: { annotations: { name: 'my_backend' }, driver: { name: 'overlay' } } });
    expect(networkMatches(net, f('name=back', 'driver=overlay', 'scope=swarm', 'type=custom', 'id=y0'))).toBe(true);
    expect(networkMatches(net, f('scope=local'))).toBe(false);
    expect(networkMatches(codec.Network.fromPartial({ id: 'i', spec: { annotations: { name: 'ingress' }, ingress: true } }), f('type=builtin'))).toBe(true);
    const secret = codec.Secret.fromPartial({ id: 's1', spec: { annotations: { name: 'db_pass' } } });
    expect(secretMatches(secret, f('name=db', 'names=db_pass'))).toBe(true);
    expect(secretMatches(secret, f('names=db'))).toBe(false);
    const config = codec.Config.fromPartial({ id: 'c1', spec: { annotations: { name: 'app', labels: { v: '1' } } } });
    expect(configMatches(config, f('label=v=1', 'id=c'))).toBe(true);
    expect(configMatches(config, f('name=x'))).toBe(false);
  });
});
