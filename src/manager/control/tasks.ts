import type { ControlService } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { taskFilterFrom } from './filters.js';

type TaskHandlers = Pick<Handlers<typeof ControlService>, 'getTask' | 'listTasks'>;

/** Control methods on tasks (read only: tasks are made by orchestrators, not users). */
export function taskHandlers(deps: ControlDeps): TaskHandlers {
  return {
    getTask: async (req) => {
      await deps.readBarrier();
      const found = deps.store.get('task', req.taskId) ?? (() => {
        const matches = deps.store.getByIdPrefix('task', req.taskId);
        if (matches.length > 1) throw new RpcError('invalid-argument', `task ${req.taskId} is ambiguous (${matches.length} matches found)`);
        return matches[0];
      })();
      if (!found) throw new RpcError('not-found', `No such task: ${req.taskId}`);
      return { task: found };
    },
    listTasks: async (req) => {
      await deps.readBarrier();
      return { tasks: deps.store.listTasks(taskFilterFrom(req.filter)) };
    },
  };
}
