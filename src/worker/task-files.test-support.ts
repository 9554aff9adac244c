// For tests of TaskFiles and the task runner: a tmpfs stand-in that records
// what was written and released instead of touching the file system.
import { ok } from '../common/result.js';
import type { MemoryFiles } from './memory-files.js';

/** A MemoryFiles stand-in and the calls made to it, as "write NODE/TASK PATHS" and "release NODE/TASK". */
export function recordingMemory(): { memory: Pick<MemoryFiles, 'write' | 'release'>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    memory: {
      write: (nodeId, taskId, files) => {
        calls.push(`write ${nodeId}/${taskId} ${files.map((f) => f.containerPath).join(',')}`);
        return Promise.resolve(ok(files.map((f) => ({ hostPath: `/tmpfs/${taskId}/${f.objectId}`, containerPath: f.containerPath }))));
      },
      release: (nodeId, taskId) => {
        calls.push(`release ${nodeId}/${taskId}`);
      },
    },
  };
}
