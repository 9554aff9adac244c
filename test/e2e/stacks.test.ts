// Stacks on a swarm of three namespace hosts, driven through the CLI with
// the Compose files under deploy/examples as a Swarm user would: deploy,
// converge, list, redeploy unchanged (every service named, nothing
// restarted), refuse a changed secret file and take a label change on it,
// change one service, prune, refuse a bad file without creating anything,
// and remove leaving nothing behind; the webapp's secret in memory only,
// its config at its target, a rolling update and an automatic rollback, all
// driven by editing the Compose file.
import Docker from 'dockerode';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { execIn } from '../support/cli.js';
import { filesContaining } from '../support/files.js';

const EXAMPLES = resolve(import.meta.dirname, '../../deploy/examples');
const SHOAL_BIN = resolve(import.meta.dirname, '../../bin/shoal.js');
const NAMESPACE_LABEL = 'com.docker.stack.namespace';
const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';
const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';
const IMAGE = 'shoal-test/busybox:latest';
// Refused at once on this machine: a broken image without any traffic leaving it.
const BROKEN_IMAGE = 'localhost:1/nosuch:latest';
// Where the daemons keep secrets and configs: one tmpfs per node (src/worker/memory-files.ts).
const TASK_FILES_ROOT = '/run/shoal/task-files';

interface ServiceRow { ID: string; Name: string; Mode: string; Replicas: string; Image: string }
interface TaskRow { ID: string; Name: string; Node: string; DesiredState: string; CurrentState: string }
interface ServiceTaskRow extends TaskRow { Image: string; Error: string }
interface SecretInspected { ID: string; Version: { Index: number }; CreatedAt: string; UpdatedAt: string; Spec: { Name: string; Labels: Record<string, string> } }
interface Inspected { Spec: { TaskTemplate: { ContainerSpec: { Image: string; Env?: string[] } } }; UpdateStatus?: { State: string; Message: string } }

describe('stacks on three namespace hosts', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let docker: Docker;
  let work = '';
  // Truncated service IDs, as `stack services` shows them.
  const serviceIds = new Set<string>();
  const nodeIds: string[] = [];

  const run = (args: string[]) => h1.run(args, 120_000);
  async function ok(args: string[]): Promise<{ stdout: string; stderr: string }> {
    const r = await run(args);
    expect(r.code, `shoal ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  }
  // Docker's deploy output: one line per service the files name, existing ones as "Updating".
  const updatingLines = (names: string[]) => names.map((n) => expect.stringMatching(new RegExp(`^Updating service ${n} \\(id: \\w{25}\\)$`)));
  const jsonLines = <T>(out: string): T[] => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
  const services = async (stack: string): Promise<ServiceRow[]> => jsonLines<ServiceRow>((await ok(['stack', 'services', stack, '--format', 'json'])).stdout);
  const converged = (rows: ServiceRow[], count: number): boolean => rows.length === count && rows.every((r) => /^(\d+)\/\1( \(max \d+ per node\))?$/.test(r.Replicas));
  const versions = async (names: string[]): Promise<Record<string, number>> => {
    const out = (await ok(['service', 'inspect', ...names])).stdout;
    return Object.fromEntries((JSON.parse(out) as { Spec: { Name: string }; Version: { Index: number } }[]).map((s) => [s.Spec.Name, s.Version.Index]));
  };
  const containersOfStack = (stack: string) => docker.listContainers({ all: true, filters: { label: [`${NAMESPACE_LABEL}=${stack}`] } });
  // Only this run's containers: other runs may share the engine with stacks of the same name.
  const ours = (cs: Docker.ContainerInfo[]) => cs.filter((c) => [...serviceIds].some((id) => (c.Labels[SERVICE_ID_LABEL] ?? '').startsWith(id)));
  const runningOf = async (service: string): Promise<Docker.ContainerInfo[]> =>
    ours(await containersOfStack('webapp')).filter((c) => c.State === 'running' && c.Labels[SERVICE_NAME_LABEL] === service);
  // The IDs of the stack's tasks meant to run, sorted: a restart replaces one.
  const runningTaskIds = async (stack: string): Promise<string[]> =>
    jsonLines<TaskRow>((await ok(['stack', 'ps', stack, '--no-trunc', '--filter', 'desired-state=running', '--format', 'json'])).stdout).map((t) => t.ID).sort();
  const secretInspect = async (): Promise<SecretInspected> => (JSON.parse((await ok(['secret', 'inspect', 'webapp_api_key'])).stdout) as SecretInspected[])[0]!;
  const inspect = async (service: string): Promise<Inspected> => (JSON.parse((await ok(['service', 'inspect', service])).stdout) as Inspected[])[0]!;
  const serviceTasks = async (service: string): Promise<ServiceTaskRow[]> => jsonLines<ServiceTaskRow>((await ok(['service', 'ps', service, '--no-trunc', '--format', 'json'])).stdout);

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    const [first, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    h1 = first;
    docker = env.docker;
    const init = await h1.run(['swarm', 'init', '--advertise-addr', h1.ip]);
    expect(init.code, init.stderr).toBe(0);
    const token = /--token (SWMTKN-1-\S+)/.exec(init.stdout)?.[1] ?? '';
    for (const h of [h2, h3]) expect((await h.run(['swarm', 'join', '--token', token, `${h1.ip}:2377`])).code).toBe(0);
    await waitUntil(async () => (await ok(['node', 'ls'])).stdout.trim().split('\n'), (l) => l.length === 4 && l.slice(1).every((x) => / Ready /.test(x)), 30_000, 'three Ready nodes');
    for (const h of env.hosts) nodeIds.push((JSON.parse(readFileSync(join(h.dataRoot, 'swarm', 'state.json'), 'utf8')) as { nodeId: string }).nodeId);
    work = mkdtempSync(join(tmpdir(), 'shoal-stacks-'));
    cpSync(join(EXAMPLES, 'webapp'), join(work, 'webapp'), { recursive: true });
  });
  afterAll(async () => {
    await env?.teardown();
    if (work) rmSync(work, { recursive: true, force: true });
    // The cache service's named volume, created on the shared engine by this run.
    await docker?.getVolume('webapp_cache-data').remove().catch(() => undefined);
    // The per-node tmpfs the daemons mounted for the worker's secret (kept across daemon restarts, like /run).
    for (const id of nodeIds) {
      const dir = join(TASK_FILES_ROOT, id);
      if (!existsSync(dir)) continue;
      try {
        execFileSync('umount', [dir]);
      } catch {
        // never mounted
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deploys the webapp example: networks, secret, config and services created, in Docker\'s words', async () => {
    const { stdout, stderr } = await ok(['stack', 'deploy', '-c', join(EXAMPLES, 'webapp/docker-compose.yml'), 'webapp']);
    expect(stdout.trim().split('\n')).toEqual([
      'Creating network webapp_back',
      'Creating network webapp_front',
      'Creating secret webapp_api_key',
      'Creating config webapp_index_html',
      'Creating service webapp_cache',
      'Creating service webapp_web',
      'Creating service webapp_worker',
    ]);
    expect(stderr).toContain('Since --detach=false was not specified, tasks will be created in the background.');
    const rows = await waitUntil(() => services('webapp'), (r) => converged(r, 3), 90_000, 'webapp services n/n');
    for (const r of rows) serviceIds.add(r.ID);
    expect(rows.map((r) => [r.Name, r.Mode, r.Replicas])).toEqual([['webapp_cache', 'replicated', '1/1'], ['webapp_web', 'replicated', '2/2'], ['webapp_worker', 'replicated', '1/1']]);
    const table = (await ok(['stack', 'services', 'webapp'])).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
    // depends_on (web: service_healthy): the worker's container is created only once
    // both web tasks pass their healthcheck, which runs first 5s after they start.
    const started = async (service: string): Promise<number[]> => {
      const cs = ours(await containersOfStack('webapp')).filter((c) => c.Labels['com.docker.swarm.service.name'] === service);
      return Promise.all(cs.map(async (c) => Date.parse((await docker.getContainer(c.Id).inspect()).Created)));
    };
    const webCreated = await started('webapp_web');
    const [workerCreated] = await started('webapp_worker');
    expect(webCreated).toHaveLength(2);
    expect(workerCreated! - Math.max(...webCreated)).toBeGreaterThanOrEqual(4_000);
    expect(table.find((l) => l.includes('webapp_web'))).toMatch(/^\w{12}\s+webapp_web\s+replicated\s+2\/2\s+shoal-test\/busybox:latest\s+\*:8080->80\/tcp$/);
  });

  it('lists the stack and its tasks', async () => {
    expect((await ok(['stack', 'ls'])).stdout.trim().split('\n')).toEqual([expect.stringMatching(/^NAME\s+SERVICES$/), expect.stringMatching(/^webapp\s+3$/)]);
    expect(jsonLines((await ok(['stack', 'ls', '--format', 'json'])).stdout)).toEqual([{ Name: 'webapp', Services: '3' }]);
    const tasks = jsonLines<TaskRow>((await ok(['stack', 'ps', 'webapp', '--format', 'json'])).stdout);
    expect(tasks.filter((t) => t.DesiredState === 'Running' && t.CurrentState.startsWith('Running')).map((t) => t.Name).sort()).toEqual(['webapp_cache.1', 'webapp_web.1', 'webapp_web.2', 'webapp_worker.1']);
    expect(new Set(tasks.map((t) => t.Node)).size).toBeGreaterThan(1);
    const table = (await ok(['stack', 'ps', 'webapp'])).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS$/);
    const quiet = (await ok(['stack', 'ps', '-q', 'webapp'])).stdout.trim().split('\n');
    expect(quiet).toHaveLength(tasks.length);
    for (const id of quiet) expect(id).toMatch(/^\w{12}$/);
    const containers = ours(await containersOfStack('webapp'));
    expect(containers.filter((c) => c.State === 'running')).toHaveLength(4);
    // The config the stack created reached web by ID: httpd serves it.
    const web = containers.find((c) => c.Labels['com.docker.swarm.service.name'] === 'webapp_web');
    const exec = await docker.getContainer(web!.Id).exec({ Cmd: ['timeout', '5', 'wget', '-q', '-O', '-', 'http://127.0.0.1/'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    const page = await new Promise<string>((done) => {
      let out = '';
      stream.on('data', (chunk: Buffer) => (out += chunk.toString('latin1')));
      stream.on('end', () => done(out));
    });
    expect(page).toContain(readFileSync(join(EXAMPLES, 'webapp/www/index.html'), 'utf8').trim());
  });

  it('mounts the stack\'s secret in memory at /run/secrets, nowhere on any host\'s disk, and its config at its target', async () => {
    const secret = readFileSync(join(EXAMPLES, 'webapp/secrets/api_key.txt'), 'utf8');
    const [worker] = await runningOf('webapp_worker');
    expect(await execIn(docker, worker!.Id, 'cat /run/secrets/api_key')).toBe(secret);
    // In the container: the file is a mount whose filesystem is a tmpfs (mountinfo: mount point is field 5, fs type follows " - ").
    const mountinfo = (await execIn(docker, worker!.Id, 'cat /proc/self/mountinfo')).split('\n');
    const secretMount = mountinfo.find((l) => l.split(' ')[4] === '/run/secrets/api_key');
    expect(secretMount?.split(' - ')[1]?.split(' ')[0], mountinfo.join('\n')).toBe('tmpfs');
    // On the host: bound from the worker node's tmpfs.
    const source = (await docker.getContainer(worker!.Id).inspect()).Mounts.find((m) => m.Destination === '/run/secrets/api_key')?.Source ?? '';
    expect(source.startsWith(`${TASK_FILES_ROOT}/${worker!.Labels['com.docker.swarm.node.id'] ?? '?'}/`), source).toBe(true);
    expect(execFileSync('stat', ['-f', '-c', '%T', source], { encoding: 'utf8' }).trim()).toBe('tmpfs');
    expect(filesContaining(source, secret.trim())).toEqual([source]);
    // Nowhere on disk: no host's data root (Raft log of the manager, every worker's state), no daemon log.
    for (const h of env.hosts) {
      expect(filesContaining(h.dataRoot, secret.trim()), h.name).toEqual([]);
      expect(filesContaining(h.logPath, secret.trim()), h.name).toEqual([]);
    }
    // The config, stored as given, is found by the same search, so the search can fail.
    const page = readFileSync(join(EXAMPLES, 'webapp/www/index.html'), 'utf8');
    const pageLine = page.split('\n').find((l) => l.trim().length > 8)!.trim();
    expect(filesContaining(h1.dataRoot, pageLine).length).toBeGreaterThan(0);
    // The config at its target in every web task, with its content and the file's mode 0444.
    const webs = await runningOf('webapp_web');
    expect(webs).toHaveLength(2);
    for (const web of webs) expect(await execIn(docker, web.Id, 'stat -c %a /www/index.html; cat /www/index.html')).toBe(`444\n${page}`);
  });

  it('redeploying the same file names every service as Docker does, but changes nothing: no version bumped, no task restarted', async () => {
    const names = ['webapp_cache', 'webapp_web', 'webapp_worker'];
    const before = await versions(names);
    const tasksBefore = await runningTaskIds('webapp');
    const secretBefore = await secretInspect();
    const { stdout } = await ok(['stack', 'deploy', '-c', join(work, 'webapp/docker-compose.yml'), 'webapp']);
    expect(stdout.trim().split('\n')).toEqual(updatingLines(names));
    expect(await versions(names)).toEqual(before);
    expect(await runningTaskIds('webapp')).toEqual(tasksBefore);
    expect(await secretInspect()).toEqual(secretBefore);
  });

  it('refuses a redeploy whose secret file changed, in one line, and changes nothing', async () => {
    const names = ['webapp_cache', 'webapp_web', 'webapp_worker'];
    const secretFile = join(work, 'webapp/secrets/api_key.txt');
    const original = readFileSync(secretFile, 'utf8');
    const before = await versions(names);
    const tasksBefore = await runningTaskIds('webapp');
    const secretBefore = await secretInspect();
    writeFileSync(secretFile, 'rotated-api-key-0451\n');
    try {
      const file = join(work, 'webapp/docker-compose.yml');
      const text = readFileSync(file, 'utf8');
      const r = await run(['stack', 'deploy', '-c', file, 'webapp']);
      expect([r.code, r.stdout, r.stderr.trim()]).toEqual([1, '', 'secret webapp_api_key already exists with different content, and secrets cannot be changed: put the new content under a new name (e.g. webapp_api_key_v2, "name: webapp_api_key_v2" in a Compose file) and point the services at it']);
      // A service change in the same deploy does not go through either.
      expect(text).toContain('LOG_LEVEL: info');
      writeFileSync(file, text.replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
      const both = await run(['stack', 'deploy', '-c', file, 'webapp']);
      writeFileSync(file, text);
      expect([both.code, both.stdout, both.stderr.trim()]).toEqual([1, '', r.stderr.trim()]);
      expect(`${r.stderr}${both.stderr}`).not.toContain('rotated-api-key-0451');
      // The new content reached the leader only to be compared: in no log, no Raft log, no disk.
      for (const h of env.hosts) {
        expect(filesContaining(h.dataRoot, 'rotated-api-key-0451'), h.name).toEqual([]);
        expect(filesContaining(h.logPath, 'rotated-api-key-0451'), h.name).toEqual([]);
      }
    } finally {
      writeFileSync(secretFile, original);
    }
    expect(await versions(names)).toEqual(before);
    expect(await runningTaskIds('webapp')).toEqual(tasksBefore);
    expect(await secretInspect()).toEqual(secretBefore);
    const [worker] = await runningOf('webapp_worker');
    expect(await execIn(docker, worker!.Id, 'cat /run/secrets/api_key')).toBe(original);
  });

  it('applies a label-only change to the stack\'s secret, and restarts nothing', async () => {
    const names = ['webapp_cache', 'webapp_web', 'webapp_worker'];
    const file = join(work, 'webapp/docker-compose.yml');
    const text = readFileSync(file, 'utf8');
    const anchor = '  api_key:\n    file: ./secrets/api_key.txt\n';
    expect(text).toContain(anchor);
    writeFileSync(file, text.replace(anchor, `${anchor}    labels:\n      rotation: monthly\n`));
    const before = await versions(names);
    const tasksBefore = await runningTaskIds('webapp');
    const secretBefore = await secretInspect();
    const { stdout } = await ok(['stack', 'deploy', '-c', file, 'webapp']);
    expect(stdout.trim().split('\n')).toEqual(updatingLines(names));
    const secretAfter = await secretInspect();
    expect(secretAfter.Spec.Labels).toEqual({ [NAMESPACE_LABEL]: 'webapp', rotation: 'monthly' });
    expect(secretAfter.Version.Index).toBeGreaterThan(secretBefore.Version.Index);
    expect([secretAfter.ID, secretAfter.CreatedAt]).toEqual([secretBefore.ID, secretBefore.CreatedAt]);
    expect(await versions(names)).toEqual(before);
    expect(await runningTaskIds('webapp')).toEqual(tasksBefore);
  });

  it('changing one service\'s replicas in the file updates only that service', async () => {
    const file = join(work, 'webapp/docker-compose.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const before = await versions(['webapp_cache', 'webapp_web', 'webapp_worker']);
    // -q with --detach=false: no progress lines, but it returns only once converged.
    const { stdout } = await ok(['stack', 'deploy', '--detach=false', '-q', '-c', file, 'webapp']);
    expect(stdout.trim().split('\n')).toEqual(updatingLines(['webapp_cache', 'webapp_web', 'webapp_worker']));
    expect((await services('webapp')).find((r) => r.Name === 'webapp_web')?.Replicas).toBe('3/3');
    const after = await versions(['webapp_cache', 'webapp_web', 'webapp_worker']);
    expect(after.webapp_web).toBeGreaterThan(before.webapp_web ?? Infinity);
    expect([after.webapp_cache, after.webapp_worker]).toEqual([before.webapp_cache, before.webapp_worker]);
  });

  it('keeps a service dropped from the file until --prune removes it', async () => {
    const file = join(work, 'webapp/docker-compose.yml');
    const text = readFileSync(file, 'utf8');
    const withoutWorker = text.replace(/\n {2}worker:\n[\s\S]*?(?=\nnetworks:)/, '\n');
    expect(withoutWorker).not.toContain('worker:');
    writeFileSync(file, withoutWorker);
    expect((await ok(['stack', 'deploy', '-c', file, 'webapp'])).stdout.trim().split('\n')).toEqual(updatingLines(['webapp_cache', 'webapp_web']));
    expect((await services('webapp')).map((r) => r.Name)).toContain('webapp_worker');
    expect((await ok(['stack', 'deploy', '--prune', '-c', file, 'webapp'])).stdout.trim().split('\n')).toEqual(['Removing service webapp_worker', ...updatingLines(['webapp_cache', 'webapp_web'])]);
    expect((await services('webapp')).map((r) => r.Name)).toEqual(['webapp_cache', 'webapp_web']);
    await waitUntil(async () => ours(await containersOfStack('webapp')).filter((c) => c.Labels['com.docker.swarm.service.name'] === 'webapp_worker'), (cs) => cs.length === 0, 30_000, 'worker containers gone');
  });

  it('rolls a Compose environment change out one web task at a time, the update_config delay apart', async () => {
    const file = join(work, 'webapp/docker-compose.yml');
    const before = readFileSync(file, 'utf8');
    // The example waits 10s between tasks and monitors 15s, and checks health every 5s: shortened here to keep the test quick.
    const edited = before
      .replace('    healthcheck:\n', '    environment:\n      RELEASE: "2"\n    healthcheck:\n')
      .replace('      interval: 5s\n', '      interval: 1s\n')
      .replace('        delay: 10s\n', '        delay: 3s\n')
      .replace('        monitor: 15s\n', '        monitor: 1s\n');
    expect(edited.match(/RELEASE|interval: 1s|delay: 3s|monitor: 1s/g)).toHaveLength(4);
    writeFileSync(file, edited);
    const oldIds = (await runningOf('webapp_web')).map((c) => c.Id);
    expect(oldIds).toHaveLength(3);
    const { stdout } = await ok(['stack', 'deploy', '--detach=false', '-q', '-c', file, 'webapp']);
    expect(stdout.trim().split('\n')).toEqual(updatingLines(['webapp_cache', 'webapp_web']));
    const service = await waitUntil(() => inspect('webapp_web'), (i) => i.UpdateStatus?.State === 'completed', 90_000, 'webapp_web update completed');
    expect(service.Spec.TaskTemplate.ContainerSpec.Env).toContain('RELEASE=2');
    // With start-first the last old task is told to stop as the update completes; it stops within its grace period.
    const last = await waitUntil(() => runningOf('webapp_web'), (cs) => cs.length === 3, 15_000, 'the old web containers stopped');
    const updated = await Promise.all(last.map((c) => docker.getContainer(c.Id).inspect()));
    expect(updated.map((c) => c.Config.Env.includes('RELEASE=2'))).toEqual([true, true, true]);
    for (const c of updated) expect(oldIds).not.toContain(c.Id);
    // Each replacement started at least the delay after the previous one (the engine's own clock).
    const started = updated.map((c) => Date.parse(c.State.StartedAt)).sort((x, y) => x - y);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!, `start gaps ${JSON.stringify(started)}`).toBeGreaterThanOrEqual(2_900);
    const rows = await serviceTasks('webapp_web');
    expect(rows.filter((r) => r.DesiredState === 'Running').map((r) => r.Name).sort()).toEqual(['webapp_web.1', 'webapp_web.2', 'webapp_web.3']);
    expect(rows.filter((r) => r.DesiredState === 'Shutdown')).toHaveLength(3);
  });

  it('rolls a broken image in the Compose file back (failure_action: rollback): the old image runs again', async () => {
    const file = join(work, 'webapp/docker-compose.yml');
    const text = readFileSync(file, 'utf8');
    const anchor = '    <<: *busybox\n    # The image has no /www';
    expect(text).toContain(anchor);
    writeFileSync(file, text.replace(anchor, `    <<: *busybox\n    image: ${BROKEN_IMAGE}\n    # The image has no /www`));
    const { stdout } = await ok(['stack', 'deploy', '-c', file, 'webapp']);
    expect(stdout.trim().split('\n')).toEqual(updatingLines(['webapp_cache', 'webapp_web']));
    const service = await waitUntil(() => inspect('webapp_web'), (i) => i.UpdateStatus?.State === 'rollback_completed', 90_000, 'webapp_web rolled back');
    expect(service.UpdateStatus).toMatchObject({ State: 'rollback_completed', Message: 'rollback completed' });
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(IMAGE);
    const rows = await serviceTasks('webapp_web');
    const rejected = rows.filter((t) => t.Image === BROKEN_IMAGE);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected[0]).toMatchObject({ CurrentState: expect.stringMatching(/^Rejected/), Error: expect.stringMatching(/\S/) });
    const live = await waitUntil(() => serviceTasks('webapp_web'), (r) => r.filter((t) => t.DesiredState === 'Running' && t.CurrentState.startsWith('Running')).length === 3, 30_000, 'three web tasks running');
    expect(live.filter((t) => t.DesiredState === 'Running' && t.CurrentState.startsWith('Running')).map((t) => t.Image)).toEqual([IMAGE, IMAGE, IMAGE]);
    // On the engine: three web containers of the old image, with the spec from before the broken update.
    const containers = await Promise.all((await runningOf('webapp_web')).map((c) => docker.getContainer(c.Id).inspect()));
    expect(containers.map((c) => [c.Config.Image, c.Config.Env.includes('RELEASE=2')])).toEqual([[IMAGE, true], [IMAGE, true], [IMAGE, true]]);
  });

  it('refuses a bad file with its file, line and path, and creates nothing', async () => {
    const bad = join(work, 'bad.yml');
    writeFileSync(bad, ['services:', '  web:', '    image: shoal-test/busybox:latest', '    deploy:', '      replicas: three', 'secrets:', '  token:', '    file: ./bad.yml', ''].join('\n'));
    const r = await run(['stack', 'deploy', '-c', bad, 'broken']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`${bad}:5 services.web.deploy.replicas: expected integer, got "three"`);
    // Valid YAML whose external network does not exist: refused before anything is created.
    const external = join(work, 'external.yml');
    writeFileSync(external, ['services:', '  web:', '    image: shoal-test/busybox:latest', '    networks: [outside]', 'networks:', '  outside:', '    external: true', 'secrets:', '  token:', '    file: ./bad.yml', ''].join('\n'));
    const e = await run(['stack', 'deploy', '-c', external, 'broken']);
    expect(e.code).toBe(1);
    expect(e.stdout).toBe('');
    expect(e.stderr.trim().split('\n').at(-1)).toBe('network "outside" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed');
    const rm = await ok(['stack', 'rm', 'broken']);
    expect(rm.stderr.trim()).toBe('Nothing found in stack: broken');
    expect((await ok(['stack', 'ls'])).stdout).not.toContain('broken');
  });

  it('deploys the placement example: a global service on every node, two pinned replicas on different nodes', async () => {
    const { stdout } = await ok(['stack', 'deploy', '--detach=false', '-c', join(EXAMPLES, 'placement/docker-compose.yml'), 'placement']);
    expect(stdout).toContain('Creating service placement_agent');
    expect(stdout).toContain('Creating service placement_pinned');
    const rows = await waitUntil(() => services('placement'), (r) => converged(r, 2), 60_000, 'placement services n/n');
    for (const r of rows) serviceIds.add(r.ID);
    expect(rows.map((r) => [r.Name, r.Mode, r.Replicas])).toEqual([['placement_agent', 'global', '3/3'], ['placement_pinned', 'replicated', '2/2 (max 1 per node)']]);
    const tasks = jsonLines<TaskRow>((await ok(['stack', 'ps', 'placement', '--filter', 'desired-state=running', '--format', 'json'])).stdout);
    const pinned = tasks.filter((t) => t.Name.startsWith('placement_pinned.'));
    expect(new Set(pinned.map((t) => t.Node)).size).toBe(2);
    expect(new Set(tasks.filter((t) => t.Name.startsWith('placement_agent.')).map((t) => t.Node))).toEqual(new Set(['h1', 'h2', 'h3']));
  });

  it('merges two -c files, the first read from stdin, as the override example says', async () => {
    const dir = join(EXAMPLES, 'override');
    const r = spawnSync(process.execPath, [SHOAL_BIN, '-H', `unix://${h1.socketPath}`, 'stack', 'deploy', '-c', '-', '-c', 'docker-compose.prod.yml', 'site'], {
      cwd: dir, input: readFileSync(join(dir, 'docker-compose.yml')), encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['Creating network site_default', 'Creating service site_web']);
    const rows = await waitUntil(() => services('site'), (x) => converged(x, 1), 60_000, 'site_web n/n');
    for (const row of rows) serviceIds.add(row.ID);
    expect(rows.map((x) => [x.Name, x.Replicas])).toEqual([['site_web', '3/3']]);
    const inspect = JSON.parse((await ok(['service', 'inspect', 'site_web'])).stdout) as { Spec: { Labels: Record<string, string>; TaskTemplate: { ContainerSpec: { Env: string[] }; Placement: { Constraints: string[] } } } }[];
    expect(inspect[0]?.Spec.Labels).toEqual({ 'com.docker.stack.image': 'shoal-test/busybox:latest', 'com.docker.stack.namespace': 'site', stage: 'prod' });
    expect(inspect[0]?.Spec.TaskTemplate.ContainerSpec.Env).toEqual(['GREETING=hello', 'MODE=prod']);
    const tasks = jsonLines<TaskRow>((await ok(['stack', 'ps', 'site', '--format', 'json'])).stdout);
    expect(new Set(tasks.filter((t) => t.DesiredState === 'Running').map((t) => t.Node))).toEqual(new Set(['h2', 'h3'])); // node.role == worker
    expect((await ok(['stack', 'rm', 'site'])).stdout.trim().split('\n')).toEqual(['Removing service site_web', 'Removing network site_default']);
  });

  it('stack rm removes services, secret, config and networks, and leaves no container behind', async () => {
    const { stdout } = await ok(['stack', 'rm', 'webapp']);
    expect(stdout.trim().split('\n')).toEqual([
      'Removing service webapp_cache',
      'Removing service webapp_web',
      'Removing secret webapp_api_key',
      'Removing config webapp_index_html',
      'Removing network webapp_back',
      'Removing network webapp_front',
    ]);
    const gone = await ok(['stack', 'rm', '--detach=false', 'placement']);
    expect(gone.stdout.trim().split('\n')).toEqual(['Removing service placement_agent', 'Removing service placement_pinned', 'Removing network placement_default']);
    await waitUntil(async () => ours([...(await containersOfStack('webapp')), ...(await containersOfStack('placement')), ...(await containersOfStack('site'))]), (cs) => cs.length === 0, 60_000, 'no container of any stack');
    expect((await ok(['stack', 'ls'])).stdout.trim()).toMatch(/^NAME\s+SERVICES$/);
    expect((await ok(['service', 'ls', '-q'])).stdout.trim()).toBe('');
    expect((await ok(['stack', 'rm', 'webapp'])).stderr.trim()).toBe('Nothing found in stack: webapp');
    const ps = await run(['stack', 'ps', 'webapp']);
    expect([ps.code, ps.stderr.trim()]).toEqual([1, 'nothing found in stack: webapp']);
  });
});
