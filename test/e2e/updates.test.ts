// Rolling updates, rollback, healthchecks and rebalancing on three namespace
// hosts, driven through the CLI as a user would, checked on the engine.
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { formSwarm, ok as runOk } from '../support/cli.js';

const IMAGE = 'shoal-test/busybox:latest';
// Refused at once on this machine: a broken image without any traffic leaving it.
const BROKEN_IMAGE = 'localhost:1/nosuch:latest';
// Stops at once on SIGTERM (a shell as PID 1 ignores it otherwise, and every stop would take the grace period).
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

interface TaskRow { ID: string; Name: string; Image: string; Node: string; DesiredState: string; CurrentState: string; Error: string }
interface Inspected { Spec: { TaskTemplate: { ContainerSpec: { Image: string; Env?: string[]; Healthcheck?: unknown } } }; UpdateStatus?: { State: string; Message: string } }

const ok = (host: NamespaceHost, args: string[], timeoutMs = 180_000): Promise<string> => runOk(host, args, timeoutMs);

describe('rolling updates, rollback, health and rebalance', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h3: NamespaceHost;
  let docker: Docker;
  const serviceIds = new Map<string, string>();

  const tasks = async (service: string): Promise<TaskRow[]> => {
    const out = await ok(h1, ['service', 'ps', service, '--no-trunc', '--format', 'json']);
    return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TaskRow);
  };
  const running = (rows: TaskRow[]): TaskRow[] => rows.filter((r) => r.DesiredState === 'Running' && r.CurrentState.startsWith('Running'));
  const inspect = async (service: string): Promise<Inspected> => (JSON.parse(await ok(h1, ['service', 'inspect', service])) as Inspected[])[0]!;
  // The CLI returns once tasks are stable for the update monitor; the rollback
  // config's own monitor (5s by default) may still be running, as in Docker.
  const statusBecomes = async (service: string, state: string): Promise<Inspected> =>
    waitUntil(() => inspect(service), (i) => i.UpdateStatus?.State === state, 30_000, `${service} update status ${state}`);
  const containers = async (service: string): Promise<Docker.ContainerInspectInfo[]> => {
    const list = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.id=${serviceIds.get(service) ?? '?'}`] } });
    return Promise.all(list.map((c) => docker.getContainer(c.Id).inspect()));
  };
  const create = async (name: string, flags: string[]): Promise<void> => {
    const out = await ok(h1, ['service', 'create', '--name', name, ...flags, IMAGE, ...COMMAND]);
    serviceIds.set(name, out.slice(0, 25));
  };

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    const [a, b, c] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    [h1, h3] = [a, c];
    docker = env.docker;
    await formSwarm([h1, b, c]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('updates one task at a time, `delay` apart, and reports the update completed', async () => {
    await create('roll', ['--replicas', '3', '--update-parallelism', '1', '--update-delay', '3s', '--update-monitor', '1s']);
    const out = await ok(h1, ['service', 'update', '--env-add', 'V=2', 'roll']);
    expect(out).toContain('overall progress: 3 out of 3 tasks');
    expect(out).toContain('verify: Service roll converged');
    const updated = (await containers('roll')).filter((c) => c.Config.Env.includes('V=2'));
    expect(updated).toHaveLength(3);
    // Each replacement started at least the delay after the previous one (the engine's own clock).
    const started = updated.map((c) => Date.parse(c.State.StartedAt)).sort((x, y) => x - y);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!, `start gaps ${JSON.stringify(started)}`).toBeGreaterThanOrEqual(2_900);
    const rows = await tasks('roll');
    expect(running(rows).map((r) => r.Name).sort()).toEqual(['roll.1', 'roll.2', 'roll.3']);
    expect(rows.filter((r) => r.DesiredState === 'Shutdown')).toHaveLength(3);
    expect((await inspect('roll')).UpdateStatus).toMatchObject({ State: 'completed', Message: 'update completed' });
  });

  it('rolls back a broken image update (task rejected) and the service runs the old image', async () => {
    const r = await h1.run(['service', 'update', '--image', BROKEN_IMAGE, '--update-failure-action', 'rollback', '--update-monitor', '2s', 'roll'], 180_000);
    // Docker 28 prints the rollback and exits 0 after it converged (docker/cli#6752).
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/rollback: update rolled back due to failure or early termination of task \w{25}/);
    expect(r.stdout).toContain('verify: Service roll converged');
    const service = await statusBecomes('roll', 'rollback_completed');
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(IMAGE);
    expect(service.UpdateStatus).toMatchObject({ State: 'rollback_completed', Message: 'rollback completed' });
    const rows = await tasks('roll');
    expect(running(rows).map((t) => t.Image)).toEqual([IMAGE, IMAGE, IMAGE]);
    const rejected = rows.filter((t) => t.Image === BROKEN_IMAGE);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected[0]).toMatchObject({ CurrentState: expect.stringMatching(/^Rejected/), Error: expect.stringMatching(/\S/) });
    for (const c of await containers('roll')) expect(c.Config.Env).toContain('V=2');
  });

  it('rolls back an update whose new tasks turn unhealthy within the monitor window', async () => {
    const r = await h1.run(['service', 'update', '--health-cmd', 'false', '--health-interval', '500ms', '--health-timeout', '1s', '--health-retries', '1', '--update-failure-action', 'rollback', '--update-monitor', '5s', 'roll'], 180_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/rollback: update rolled back due to failure or early termination of task \w{25}/);
    const service = await statusBecomes('roll', 'rollback_completed');
    expect(service.Spec.TaskTemplate.ContainerSpec.Healthcheck).toBeUndefined();
    const rows = await tasks('roll');
    expect(rows.some((t) => t.Error.includes('unhealthy'))).toBe(true);
    expect(running(rows)).toHaveLength(3);
    for (const c of await containers('roll')) expect(c.Config.Healthcheck).toBeUndefined();
  });

  it('pauses a failing update, says why in inspect and ps, and rolls back on request', async () => {
    const r = await h1.run(['service', 'update', '--image', BROKEN_IMAGE, '--update-failure-action', 'pause', 'roll'], 180_000);
    expect(r.code).toBe(1);
    const reason = /service update paused: update paused due to failure or early termination of task (\w{25})/.exec(r.stderr);
    expect(reason, r.stderr).not.toBeNull();
    const service = await inspect('roll');
    expect(service.UpdateStatus).toMatchObject({ State: 'paused', Message: `update paused due to failure or early termination of task ${reason![1]!}` });
    const failed = (await tasks('roll')).find((t) => t.ID === reason![1]);
    expect(failed).toMatchObject({ Image: BROKEN_IMAGE, CurrentState: expect.stringMatching(/^Rejected/), Error: expect.stringMatching(/\S/) });
    // Paused: the other slots still run the old image.
    expect(running(await tasks('roll')).filter((t) => t.Image === IMAGE).length).toBeGreaterThanOrEqual(2);

    const back = await ok(h1, ['service', 'rollback', 'roll']);
    expect(back).toContain('rollback: manually requested rollback');
    expect(back).toContain('verify: Service roll converged');
    expect((await statusBecomes('roll', 'rollback_completed')).UpdateStatus?.Message).toBe('rollback completed');
    expect(running(await tasks('roll')).map((t) => t.Image)).toEqual([IMAGE, IMAGE, IMAGE]);
  });

  it('--force replaces every task with the same spec', async () => {
    const before = running(await tasks('roll')).map((t) => t.ID).sort();
    await ok(h1, ['service', 'update', '--force', '--update-parallelism', '0', '--update-monitor', '1s', 'roll']);
    const after = running(await tasks('roll')).map((t) => t.ID);
    expect(after).toHaveLength(3);
    for (const id of after) expect(before).not.toContain(id);
  });

  it('--rebalance evens the spread out after a node comes back, as a rolling update', async () => {
    await create('spread', ['--replicas', '6', '--update-monitor', '1s', '--update-parallelism', '2']);
    const perNode = (rows: TaskRow[]) => running(rows).reduce<Record<string, number>>((m, r) => ({ ...m, [r.Node]: (m[r.Node] ?? 0) + 1 }), {});
    expect(perNode(await tasks('spread'))).toEqual({ h1: 2, h2: 2, h3: 2 });
    await h3.kill('SIGKILL');
    await waitUntil(() => tasks('spread'), (rows) => running(rows).length === 6 && perNode(rows)['h3'] === undefined, 90_000, 'tasks moved off h3');
    await h3.start();
    await waitUntil(async () => (await ok(h1, ['node', 'ls'])).split('\n').find((l) => / h3 /.test(l)) ?? '', (l) => / Ready /.test(l), 30_000, 'h3 Ready again');
    expect(perNode(await tasks('spread'))).toEqual({ h1: 3, h2: 3 });

    const out = await ok(h1, ['service', 'update', '--rebalance', 'spread']);
    expect(out).toContain('verify: Service spread converged');
    expect(perNode(await tasks('spread'))).toEqual({ h1: 2, h2: 2, h3: 2 });
    await statusBecomes('spread', 'completed');
    const again = await h1.run(['service', 'update', '-d', '--rebalance', 'spread']);
    expect(again.stderr).toContain('service spread is already balanced: no task needs to move');
  });
});
