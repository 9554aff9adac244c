import { describe, expect, it } from 'vitest';
import { codec, type Task, type TaskStatus_State } from '../../gen/index.js';
import type { StackControl } from './control.js';
import { waitForServicesRunning, waitForStackGone } from './wait.js';

// A clock that moves only when the waiter sleeps, and a Control that answers from a script.
function harness(answers: (call: number) => { tasks?: Task[]; running?: number }) {
  let now = 0;
  let calls = 0;
  const control = {
    listTasks: () => Promise.resolve({ tasks: answers(calls++).tasks ?? [] }),
    listServices: () => Promise.resolve({ services: [], statuses: { s1: { runningTasks: answers(calls++).running ?? 0, desiredTasks: 2, completedTasks: 0 } } }),
  } as unknown as StackControl;
  const opts = { timeoutMs: 1_000, pollMs: 100, sleep: (ms: number) => Promise.resolve(void (now += ms)), nowMs: () => now };
  return { control, opts, calls: () => calls };
}
const task = (state: TaskStatus_State) => codec.Task.fromPartial({ id: 't', serviceId: 's1', status: { state } });

describe('waits', () => {
  it('stack rm --detach=false returns once every task has stopped', async () => {
    const h = harness((n) => ({ tasks: [task(n < 3 ? 'RUNNING' : 'SHUTDOWN'), task('COMPLETE')] }));
    await waitForStackGone(h.control, [{ kind: 'service', id: 's1', name: 'app_web' }], h.opts);
    expect(h.calls()).toBe(4);
  });

  it('gives up with one line after the timeout', async () => {
    const h = harness(() => ({ tasks: [task('RUNNING')] }));
    await expect(waitForStackGone(h.control, [{ kind: 'service', id: 's1', name: 'app_web' }], h.opts)).rejects.toThrow('1 task(s) of the removed stack still running after 1s; check "shoal node ls" for unreachable nodes');
  });

  it('deploy -q --detach=false returns once running reaches desired', async () => {
    const h = harness((n) => ({ running: n < 2 ? 1 : 2 }));
    await waitForServicesRunning(h.control, ['s1'], h.opts);
    expect(h.calls()).toBe(3);
    const never = harness(() => ({ running: 1 }));
    await expect(waitForServicesRunning(never.control, ['s1'], never.opts)).rejects.toThrow('1 service(s) of the stack did not converge in 1s; see "shoal stack ps"');
  });
});
