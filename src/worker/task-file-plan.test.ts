import { describe, expect, it } from 'vitest';
import { codec, type Task } from '../gen/index.js';
import { emptyNodeResources, type NodeResources } from './node-resources.js';
import { planTaskFiles } from './task-file-plan.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const resources = (): NodeResources => ({
  ...emptyNodeResources(),
  secrets: new Map([['s1', codec.Secret.fromPartial({ id: 's1', spec: { annotations: { name: 'db' }, data: bytes('pw') } })]]),
  configs: new Map([['c1', codec.Config.fromPartial({ id: 'c1', spec: { annotations: { name: 'app' }, data: bytes('conf') } })]]),
});
const task = (secrets: { name: string; uid?: string; gid?: string; mode?: number }[], configs: { name: string }[] = []): Task =>
  codec.Task.fromPartial({
    id: 't1',
    spec: {
      container: {
        image: 'x',
        secrets: secrets.map((f) => ({ secretId: 's1', secretName: 'db', file: { name: f.name, uid: f.uid ?? '0', gid: f.gid ?? '0', mode: f.mode ?? 0o444 } })),
        configs: configs.map((f) => ({ configId: 'c1', configName: 'app', file: { name: f.name, uid: '0', gid: '0', mode: 0o444 } })),
      },
    },
  });

describe('planTaskFiles', () => {
  it('puts relative secret targets under /run/secrets and relative config targets under /, as Docker', () => {
    const plan = planTaskFiles(task([{ name: 'db', uid: '1000', gid: '50', mode: 0o400 }, { name: '/etc/pw' }], [{ name: 'app.conf' }, { name: '/etc/nginx/nginx.conf' }]), resources());
    expect(plan.ok && plan.value.map((f) => [f.kind, f.containerPath, f.uid, f.gid, f.mode.toString(8), new TextDecoder().decode(f.data)])).toEqual([
      ['secret', '/run/secrets/db', 1000, 50, '400', 'pw'],
      ['secret', '/etc/pw', 0, 0, '444', 'pw'],
      ['config', '/app.conf', 0, 0, '444', 'conf'],
      ['config', '/etc/nginx/nginx.conf', 0, 0, '444', 'conf'],
    ]);
  });

  it('keeps relative targets inside /run/secrets', () => {
    expect(planTaskFiles(task([{ name: 'a/b' }]), resources())).toMatchObject({ ok: true, value: [{ containerPath: '/run/secrets/a/b' }] });
    expect(planTaskFiles(task([{ name: '../../etc/shadow' }]), resources())).toEqual({ ok: false, error: 'secret db: target "../../etc/shadow" leaves /run/secrets; use a plain file name or an absolute path' });
  });

  it('refuses non-numeric owners and clashing targets in one line', () => {
    expect(planTaskFiles(task([{ name: 'db', uid: 'root' }]), resources())).toEqual({ ok: false, error: 'secret db: uid and gid must be numeric (got uid=root, gid=0)' });
    expect(planTaskFiles(task([{ name: '/x' }], [{ name: '/x' }]), resources())).toEqual({ ok: false, error: 'two secrets or configs target /x: give each its own target' });
  });

  it('names a secret the node does not have, never its data', () => {
    const plan = planTaskFiles(task([{ name: 'db' }]), emptyNodeResources());
    expect(plan).toMatchObject({ ok: false });
    expect(!plan.ok && plan.error).toMatch(/^secret db is not available on this node/);
  });
});
