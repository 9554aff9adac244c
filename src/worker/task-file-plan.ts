// Which files a task's container gets from its secrets and configs, and
// where: pure, so the paths, owners and modes are unit-tested without an
// engine. TaskFiles (task-files.ts) writes them to a tmpfs (memory-files.ts)
// and the executor bind-mounts each one read-only, as Docker's swarm executor does.
import path from 'node:path/posix';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import type { NodeResources } from './node-resources.js';

/** Where a secret with a relative target goes, as in Docker. */
export const SECRETS_DIR = '/run/secrets';
/** Where a config with a relative target goes, as in Docker. */
export const CONFIGS_DIR = '/';

/** One file to put in a task's container. */
export interface TaskFile {
  kind: 'secret' | 'config';
  /** The secret or config ID; never its data in anything printed. */
  objectId: string;
  /** Absolute path inside the container. */
  containerPath: string;
  data: Uint8Array;
  uid: number;
  gid: number;
  mode: number;
}

/** Every file the task needs, or why it cannot have them (one line, no data). */
export function planTaskFiles(task: Task, resources: NodeResources): Result<TaskFile[], string> {
  const container = task.spec?.container;
  const files: TaskFile[] = [];
  for (const ref of container?.secrets ?? []) {
    const secret = resources.secrets.get(ref.secretId);
    if (!secret?.spec) return err(`secret ${ref.secretName || ref.secretId} is not available on this node: the managers did not send it (is it readable by the leader?)`);
    const file = fileOf('secret', ref.secretName || ref.secretId, ref.file, SECRETS_DIR);
    if (!file.ok) return file;
    files.push({ kind: 'secret', objectId: ref.secretId, data: secret.spec.data, ...file.value });
  }
  for (const ref of container?.configs ?? []) {
    const config = resources.configs.get(ref.configId);
    if (!config?.spec) return err(`config ${ref.configName || ref.configId} is not available on this node: the managers did not send it`);
    const file = fileOf('config', ref.configName || ref.configId, ref.file, CONFIGS_DIR);
    if (!file.ok) return file;
    files.push({ kind: 'config', objectId: ref.configId, data: config.spec.data, ...file.value });
  }
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.containerPath)) return err(`two secrets or configs target ${f.containerPath}: give each its own target`);
    seen.add(f.containerPath);
  }
  return ok(files);
}

type FileTarget = { name: string; uid: string; gid: string; mode: number } | undefined;

function fileOf(kind: string, name: string, target: FileTarget, base: string): Result<Pick<TaskFile, 'containerPath' | 'uid' | 'gid' | 'mode'>, string> {
  const targetName = target?.name || name;
  const containerPath = path.resolve(base, targetName);
  if (containerPath === '/' || (!path.isAbsolute(targetName) && !containerPath.startsWith(base === '/' ? '/' : `${base}/`))) {
    return err(`${kind} ${name}: target ${JSON.stringify(targetName)} leaves ${base}; use a plain file name or an absolute path`);
  }
  const uid = numericId(target?.uid);
  const gid = numericId(target?.gid);
  if (uid === undefined || gid === undefined) return err(`${kind} ${name}: uid and gid must be numeric (got uid=${target?.uid ?? ''}, gid=${target?.gid ?? ''})`);
  return ok({ containerPath, uid, gid, mode: (target?.mode ?? 0o444) & 0o7777 });
}

function numericId(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return 0;
  return /^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff ? Number(value) : undefined;
}
