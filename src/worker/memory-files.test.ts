// The refusal paths of MemoryFiles, on a directory that is not a tmpfs (the
// happy path needs root and a real mount: test/integration/worker-secrets.test.ts).
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFiles } from './memory-files.js';
import type { TaskFile } from './task-file-plan.js';

const TMPFS_MAGIC = 0x01021994;
const file: TaskFile = { kind: 'secret', objectId: 's1', containerPath: '/run/secrets/db', data: new TextEncoder().encode('pw'), uid: 0, gid: 0, mode: 0o400 };
const log = pino({ level: 'silent' });

describe('MemoryFiles off tmpfs', () => {
  let root: string;
  beforeEach(() => {
    // Somewhere that is not a tmpfs: the system temp dir unless it is one, else this checkout.
    const base = statfsSync(tmpdir()).type === TMPFS_MAGIC ? process.cwd() : tmpdir();
    root = mkdtempSync(join(base, '.shoal-memory-files-'));
    expect(statfsSync(root).type, 'this test needs a directory that is not on a tmpfs').not.toBe(TMPFS_MAGIC);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('refuses to write when the mount did not give a tmpfs, leaving no file', async () => {
    const calls: string[][] = [];
    const files = new MemoryFiles(root, log, (args) => {
      calls.push(args);
      return Promise.resolve();
    });
    const written = await files.write('node1', 'task1', [file]);
    expect(written).toEqual({ ok: false, error: `cannot keep secrets in memory: ${join(root, 'node1')} is not a tmpfs; refusing to write secrets to disk` });
    expect(calls).toEqual([['-t', 'tmpfs', '-o', 'mode=0700,size=256m,nosuid,nodev,noexec', 'shoal-task-files', join(root, 'node1')]]);
    expect(readdirSync(join(root, 'node1'))).toEqual([]);
  });

  it('says why when mounting fails, in one line', async () => {
    const files = new MemoryFiles(root, log, () => Promise.reject(new Error('mount: only root can do that\nmore')));
    const written = await files.write('node1', 'task1', [file]);
    expect(written).toMatchObject({ ok: false });
    expect(!written.ok && written.error).toMatch(/^cannot keep secrets in memory: mounting a tmpfs at .*node1 failed \(mount: only root can do that\); run the daemon as root$/);
  });

  it('needs nothing for a task without files', async () => {
    const files = new MemoryFiles(root, log, () => Promise.reject(new Error('not called')));
    expect(await files.write('node1', 'task1', [])).toEqual({ ok: true, value: [] });
  });
});
