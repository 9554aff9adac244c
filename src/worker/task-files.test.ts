import { describe, expect, it } from 'vitest';
import { ok } from '../common/result.js';
import { codec } from '../gen/index.js';
import { emptyNodeResources, type NodeResources } from './node-resources.js';
import { TaskFiles } from './task-files.js';
import { recordingMemory } from './task-files.test-support.js';

const resources = (): NodeResources => ({
  ...emptyNodeResources(),
  secrets: new Map([['s1', codec.Secret.fromPartial({ id: 's1', spec: { annotations: { name: 'db' }, data: new TextEncoder().encode('pw') } })]]),
});
const withSecret = codec.Task.fromPartial({ id: 't1', nodeId: 'n1', spec: { container: { image: 'x', secrets: [{ secretId: 's1', secretName: 'db', file: { name: 'db', uid: '0', gid: '0', mode: 0o400 } }] } } });
const plain = codec.Task.fromPartial({ id: 't2', nodeId: 'n1', spec: { container: { image: 'x' } } });

describe('TaskFiles', () => {
  it('writes a task\'s files, releases them when its container stops, writes them again before a local restart, and drops them when it is removed', async () => {
    const { memory, calls } = recordingMemory();
    const files = new TaskFiles(memory, resources);
    expect(await files.prepare(withSecret)).toEqual(ok([{ hostPath: '/tmpfs/t1/s1', containerPath: '/run/secrets/db' }]));
    expect(await files.restore(withSecret)).toEqual(ok(undefined));
    files.releaseOnStop(withSecret);
    files.releaseOnStop(withSecret);
    expect(await files.restore(withSecret)).toEqual(ok(undefined));
    files.release('n1', 't1');
    expect(await files.restore(withSecret)).toEqual(ok(undefined));
    expect(calls).toEqual(['write n1/t1 /run/secrets/db', 'release n1/t1', 'write n1/t1 /run/secrets/db', 'release n1/t1']);
  });

  it('needs no tmpfs for a task without secrets or configs', async () => {
    const { memory, calls } = recordingMemory();
    expect(await new TaskFiles(memory, resources).prepare(plain)).toEqual(ok([]));
    expect(calls).toEqual([]);
  });

  it('refuses a task whose secret the managers did not send, writing nothing', async () => {
    const { memory, calls } = recordingMemory();
    const prepared = await new TaskFiles(memory, emptyNodeResources).prepare(withSecret);
    expect(prepared).toMatchObject({ ok: false });
    expect(calls).toEqual([]);
  });

  it('leaves the files of a task adopted after a restart until its container is removed', () => {
    const { memory, calls } = recordingMemory();
    const files = new TaskFiles(memory, resources);
    files.releaseOnStop(withSecret);
    expect(calls).toEqual([]);
    files.release('n1', 't1');
    expect(calls).toEqual(['release n1/t1']);
  });
});
