import { ControlService } from '../gen/index.js';
import { RpcError, type Handlers } from '../rpc/index.js';

/** Docker's answer to cluster calls on a node that is not a manager of any swarm. */
export const NOT_A_MANAGER = 'This node is not a swarm manager. Use "shoal swarm init" or "shoal swarm join" to connect this node to swarm and try again.';

/** Control handlers for a daemon that belongs to no swarm: every call says so. */
export function noSwarmControlHandlers(): Handlers<typeof ControlService> {
  const refuse = async (): Promise<never> => {
    throw new RpcError('failed-precondition', NOT_A_MANAGER);
  };
  return Object.fromEntries(Object.keys(ControlService).map((name) => [name, refuse])) as unknown as Handlers<typeof ControlService>;
}
