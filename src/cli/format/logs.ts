import { goTimeJson, truncateId } from './human.js';

/** One log line and where it came from. */
export interface LogLine {
  serviceName: string;
  /** The task's slot; 0 for global services, which Docker prints as `.0`. */
  slot: number;
  taskId: string;
  nodeName: string;
  timestampMs: number;
  /** The line as the container wrote it, without its newline. */
  text: string;
}

/** `service logs` flags that change the prefix. */
export interface LogOptions {
  noTaskIds?: boolean;
  noTrunc?: boolean;
  timestamps?: boolean;
  /** `--raw`: no prefix at all. */
  raw?: boolean;
  /** Digits of the service's replica count (or of the task's slot when showing one task); shorter slots are padded to it. */
  slotDigits: number;
}

/**
 * A `service logs` line as Docker prints it:
 * `[TIMESTAMP ]SERVICE.SLOT[.TASKID]@NODE<pad>    | TEXT`, task IDs cut to 12
 * unless --no-trunc, slots padded so the bars line up.
 */
export function formatLogLine(line: LogLine, opts: LogOptions): string {
  const timestamp = opts.timestamps === true ? `${goTimeJson(line.timestampMs)} ` : '';
  if (opts.raw === true) return `${timestamp}${line.text}`;
  let name = `${line.serviceName}.${line.slot}`;
  if (opts.noTaskIds !== true) name += `.${opts.noTrunc === true ? line.taskId : truncateId(line.taskId)}`;
  const pad = ' '.repeat(Math.max(0, opts.slotDigits - String(line.slot).length));
  return `${timestamp}${name}@${line.nodeName}${pad}    | ${line.text}`;
}
