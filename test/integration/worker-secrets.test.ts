// Secrets and configs in a task's container on the real test engine: the
// files are where Docker puts them, with the asked owner and mode, read-only,
// held on a tmpfs on the host (never on disk: not in the container's layer,
// not in the agent's data dir), and gone from the host once the task is.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codec } from '../../src/gen/index.js';
import { DEFAULT_TASK_FILES_ROOT, emptyNodeResources, type Agent, type Engine } from '../../src/worker/index.js';
import { filesContaining } from '../support/files.js';
import { waitUntil } from '../support/wait.js';
import { busyboxTask, cleanupContainers, newId, startAgent, tempDataDir, testEngine, waitForStatus } from './worker-fixtures.js';

const RUN_LABEL = `shoal-t-${process.pid}-worker-secrets`;
const TMPFS_MAGIC = 0x01021994;
const PLAIN = `s3cr3t-${newId().slice(0, 12)}`;
const CONFIG_TEXT = 'listen 8080\n';

// A directory that does not exist (yet) holds nothing either.
const grepFiles = (dir: string, needle: string): string[] => {
  try {
    return filesContaining(dir, needle);
  } catch {
    return [];
  }
};

describe('secrets and configs on a real engine', () => {
  let engine: Engine;
  let agent: Agent;
  let data: { dir: string; cleanup: () => void };
  const nodeId = newId();
  const nodeDir = join(DEFAULT_TASK_FILES_ROOT, nodeId);

  beforeAll(async () => {
    engine = testEngine();
    data = tempDataDir();
    agent = await startAgent(engine, nodeId, data.dir);
  });

  afterAll(async () => {
    await agent.setAssignments([]);
    await agent.idle();
    await agent.close();
    await cleanupContainers(engine, RUN_LABEL);
    data.cleanup();
    // The tmpfs this test's node mounted (a daemon keeps it until reboot, as /run).
    try {
      execFileSync('umount', [nodeDir]);
    } catch {
      // not mounted (the task never got that far)
    }
    execFileSync('rm', ['-rf', '--', nodeDir]);
  });

  it('mounts a secret at /run/secrets/TARGET and a config at its target, read-only, with owner and mode, from memory', async () => {
    const secretId = newId();
    const configId = newId();
    const secrets = new Map([[secretId, codec.Secret.fromPartial({ id: secretId, spec: { annotations: { name: 'db_pass' }, data: new TextEncoder().encode(PLAIN) } })]]);
    const configs = new Map([[configId, codec.Config.fromPartial({ id: configId, spec: { annotations: { name: 'app' }, data: new TextEncoder().encode(CONFIG_TEXT) } })]]);
    agent.setResources({ ...emptyNodeResources(), secrets, configs });
    const script = [
      'stat -c "secret %a %u %g" /run/secrets/db',
      'echo "value $(cat /run/secrets/db)"',
      'stat -c "abs %a %u %g" /opt/pw',
      'stat -c "config %a %u %g" /etc/app.conf',
      'echo "config $(cat /etc/app.conf)"',
      '(echo x > /run/secrets/db) 2>/dev/null && echo WRITABLE || echo READONLY',
      'echo done; sleep 1000 & wait',
    ].join('; ');
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c'],
      args: [script],
      secrets: [
        { secretId, secretName: 'db_pass', file: { name: 'db', uid: '1000', gid: '1001', mode: 0o400 } },
        { secretId, secretName: 'db_pass', file: { name: '/opt/pw', uid: '0', gid: '0', mode: 0o440 } },
      ],
      configs: [{ configId, configName: 'app', file: { name: '/etc/app.conf', uid: '0', gid: '0', mode: 0o444 } }],
    });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING' || s.state === 'REJECTED' || s.state === 'FAILED', 30_000, 'RUNNING');
    expect(running.err).toBe('');
    expect(running.state).toBe('RUNNING');
    const container = engine.getContainer(running.containerId);
    const logs = await waitUntil(async () => (await container.logs({ stdout: true, stderr: true })).toString('utf8'), (text) => text.includes('done'), 10_000, 'the task printed its files');
    expect(logs).toContain('secret 400 1000 1001');
    expect(logs).toContain(`value ${PLAIN}`);
    expect(logs).toContain('abs 440 0 0');
    expect(logs).toContain('config 444 0 0');
    expect(logs).toContain('config listen 8080');
    expect(logs).toContain('READONLY');

    // On the host: every source is a file on a tmpfs; nothing in the container's layer or the agent's data.
    const info = await container.inspect();
    const binds = info.Mounts.filter((m) => m.Type === 'bind');
    expect(binds.map((m) => m.Destination).sort()).toEqual(['/etc/app.conf', '/opt/pw', '/run/secrets/db']);
    for (const m of binds) {
      expect(m.Source.startsWith(`${nodeDir}/${task.id}/`)).toBe(true);
      expect(m.RW).toBe(false);
      expect(statfsSync(m.Source).type).toBe(TMPFS_MAGIC);
    }
    const secretSource = binds.find((m) => m.Destination === '/run/secrets/db')!.Source;
    expect(statSync(secretSource).mode & 0o7777).toBe(0o400);
    expect(readFileSync(secretSource, 'utf8')).toBe(PLAIN);
    const upper = (info.GraphDriver.Data as Record<string, string> | undefined)?.UpperDir;
    if (upper) expect(grepFiles(upper, PLAIN)).toEqual([]);
    expect(grepFiles(data.dir, PLAIN)).toEqual([]);

    // The task goes: its files leave the node's memory.
    await agent.setAssignments([]);
    await agent.idle();
    await waitUntil(() => Promise.resolve(existsSync(join(nodeDir, task.id))), (exists) => !exists, 15_000, 'the task\'s files removed');
    expect(readdirSync(nodeDir)).toEqual([]);
  });

  it('refuses a task whose secret never reached the node, saying which, without a container', async () => {
    agent.setResources(emptyNodeResources());
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['true'], secrets: [{ secretId: newId(), secretName: 'missing', file: { name: 'missing', uid: '0', gid: '0', mode: 0o444 } }] });
    await agent.setAssignments([task]);
    const status = await waitForStatus(agent, task.id, (s) => s.state === 'REJECTED', 30_000, 'REJECTED');
    expect(status.err).toMatch(/^secret missing is not available on this node/);
    expect(status.containerId).toBe('');
  });
});
