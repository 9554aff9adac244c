// Secrets and configs for task containers, kept in memory only: one tmpfs
// per node under `root` (mounted here unless the directory already is a
// tmpfs, as /run is on most distributions), one directory per task, one
// file per secret or config, bind-mounted read-only into the container.
// Nothing here ever reaches a disk; if no tmpfs can be had, the task is
// refused rather than falling back to one.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { err, ok, type Result } from '../common/result.js';
import type { Logger } from '../common/log.js';
import type { FileMount } from './executor.js';
import type { TaskFile } from './task-file-plan.js';

/** Linux's TMPFS_MAGIC, as statfs reports a tmpfs. */
const TMPFS_MAGIC = 0x01021994;
/** Where the daemon keeps task files unless told otherwise. */
export const DEFAULT_TASK_FILES_ROOT = '/run/shoal/task-files';
/** The per-node tmpfs only takes what is written; this caps a runaway. */
const TMPFS_OPTIONS = 'mode=0700,size=256m,nosuid,nodev,noexec';
const MOUNT_TIMEOUT_MS = 10_000;

/** Runs `mount`; injected so tests can see the call. */
export type MountCommand = (args: string[]) => Promise<void>;

const systemMount: MountCommand = async (args) => {
  await promisify(execFile)('mount', args, { timeout: MOUNT_TIMEOUT_MS });
};

/** Task files on a tmpfs, by node and task. */
export class MemoryFiles {
  private readonly mounted = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly mount: MountCommand = systemMount,
  ) {}

  /** Writes the task's files and returns where each one is, for the read-only bind mounts of its container. */
  async write(nodeId: string, taskId: string, files: readonly TaskFile[]): Promise<Result<FileMount[], string>> {
    if (files.length === 0) return ok([]);
    const base = await this.nodeDir(nodeId);
    if (!base.ok) return base;
    const dir = join(base.value, taskId);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return ok(
        files.map((file, i) => {
          const source = join(dir, `${i}-${file.kind}-${file.objectId}`);
          writeFileSync(source, file.data, { mode: 0o600 });
          chownSync(source, file.uid, file.gid);
          // After chown: chown clears set-id bits, and the umask must not narrow the mode.
          chmodSync(source, file.mode);
          return { hostPath: source, containerPath: file.containerPath };
        }),
      );
    } catch (error) {
      this.release(nodeId, taskId);
      return err(`cannot write the task's secret and config files under ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  /** Removes the task's files; a no-op when it has none. */
  release(nodeId: string, taskId: string): void {
    if (nodeId === '' || taskId === '') return;
    try {
      rmSync(join(this.root, nodeId, taskId), { recursive: true, force: true });
    } catch (error) {
      this.log.warn({ taskId, error: (error as Error).message }, 'could not remove a task\'s secret and config files');
    }
  }

  /** The node's directory, on a tmpfs: mounted once, then reused (also across daemon restarts). */
  private async nodeDir(nodeId: string): Promise<Result<string, string>> {
    const dir = join(this.root, nodeId);
    if (this.mounted.has(dir)) return ok(dir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!onTmpfs(dir)) {
        await this.mount(['-t', 'tmpfs', '-o', TMPFS_OPTIONS, 'shoal-task-files', dir]);
        this.log.info({ dir }, 'mounted a tmpfs for task secrets and configs');
      }
    } catch (error) {
      return err(`cannot keep secrets in memory: mounting a tmpfs at ${dir} failed (${(error as Error).message.split('\n')[0] ?? ''}); run the daemon as root`);
    }
    if (!onTmpfs(dir)) return err(`cannot keep secrets in memory: ${dir} is not a tmpfs; refusing to write secrets to disk`);
    this.mounted.add(dir);
    return ok(dir);
  }
}

function onTmpfs(dir: string): boolean {
  return statfsSync(dir).type === TMPFS_MAGIC;
}
