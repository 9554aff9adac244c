import { codec } from '../../gen/index.js';
import type { DispatcherWriter } from '../dispatcher/index.js';
import type { Propose } from './ports.js';

/** Largest batch of status reports in one proposal. */
const MAX_REPORTS_PER_BATCH = 2_000;

/** Writes the dispatcher's batched reports as SET_STATUS actions (no version races with desired state). */
export function statusWriter(propose: Propose): DispatcherWriter {
  const write = async (actions: Parameters<Propose>[0]): Promise<void> => {
    for (let i = 0; i < actions.length; i += MAX_REPORTS_PER_BATCH) {
      const result = await propose(actions.slice(i, i + MAX_REPORTS_PER_BATCH));
      if (!result.ok) throw new Error(`status batch rejected: ${result.error.message}`);
    }
  };
  return {
    setNodeStatuses: (updates) =>
      write(updates.map((u) => ({ kind: 'SET_STATUS', object: { node: codec.Node.fromPartial({ id: u.nodeId, status: u.status, description: u.description, dataPathAddr: u.dataPathAddr ?? '' }) } }))),
    setTaskStatuses: (updates) => write(updates.map((u) => ({ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: u.taskId, status: u.status }) } }))),
  };
}
