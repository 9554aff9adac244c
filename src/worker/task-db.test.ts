import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { TaskDb } from './task-db.js';

describe('TaskDb', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps tasks and their status across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-taskdb-'));
    dirs.push(dir);
    const db = await TaskDb.open(dir);
    await db.put(codec.Task.fromPartial({ id: 't1', status: { state: 'RUNNING', containerId: 'c1' } }));
    await db.put(codec.Task.fromPartial({ id: 't2' }));
    await db.delete('t2');
    await db.close();
    const again = await TaskDb.open(dir);
    const tasks = await again.all();
    await again.close();
    expect(tasks.map((t) => [t.id, t.status?.state, t.status?.containerId])).toEqual([['t1', 'RUNNING', 'c1']]);
  });
});
