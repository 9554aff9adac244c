// The demo cluster: three namespace hosts on one machine, each running its
// own `shoal daemon` against the shared Docker Engine, formed into a swarm
// and running a service, all through the same CLI a user types. Stays up
// until Ctrl-C (or tears down at once with --once). Whatever way it ends, it
// removes the hosts and stops the Docker Engine if, and only if, it started it.
import { resolve } from 'node:path';
import { dockerClient } from '../test/support/docker-engine.js';
import { leaseTestEngine, type EngineLease } from '../test/support/engine-lease.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../test/support/namespace-hosts.js';
import { ensureTestImages } from '../test/support/test-images.js';
import { runInterruptibly } from './interruptible.js';

const once = process.argv.includes('--once');

async function shoal(host: NamespaceHost, args: string[]): Promise<string> {
  console.log(`\n[${host.name}]$ shoal ${args.join(' ')}`);
  const r = await host.run(args, 180_000);
  if (r.stdout.trim()) console.log(r.stdout.trimEnd());
  if (r.stderr.trim()) console.log(r.stderr.trimEnd());
  if (r.code !== 0) throw new Error(`shoal ${args.join(' ')} failed on ${host.name} (exit ${String(r.code)})`);
  return r.stdout;
}

// The demo's final check: every service of the stack runs all its tasks (REPLICAS n/n), within a bound.
async function waitForStack(host: NamespaceHost, stack: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await host.run(['stack', 'services', stack, '--format', 'json'], 30_000);
    const rows = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Name: string; Replicas: string });
    if (r.code === 0 && rows.length > 0 && rows.every((s) => /^(\d+)\/\1\b/.test(s.Replicas))) return;
    if (Date.now() > deadline) throw new Error(`stack ${stack} did not converge in ${timeoutMs / 1000}s: ${rows.map((s) => `${s.Name} ${s.Replicas}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// The routing mesh: the stack's web publishes 8080, and every host answers on it, even one without a web task.
async function checkRoutingMesh(hosts: readonly NamespaceHost[], port: number, timeoutMs: number): Promise<void> {
  for (const host of hosts) {
    const url = `http://${host.ip}:${port}/`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
        const body = (await response.text()).trim().split('\n')[0] ?? '';
        console.log(`[mesh] GET ${url} -> ${response.status} ${body.slice(0, 60)}`);
        if (response.ok) break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`routing mesh: ${url} did not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (Date.now() > deadline) throw new Error(`routing mesh: ${url} did not answer 200`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// Started resources, kept as promises so that a signal in the middle of starting one still finds and removes it.
let engine: Promise<EngineLease> | undefined;
let cluster: Promise<NamespaceHosts> | undefined;

async function demo(stopRequested: Promise<void>): Promise<void> {
  // A running engine (DOCKER_HOST, the private socket, the default one) is used and left running; otherwise one is started and stopped at the end.
  engine = leaseTestEngine();
  const { dockerHost } = await engine;
  console.log(`DOCKER_HOST=${dockerHost}`);
  await ensureTestImages(dockerClient(dockerHost));
  cluster = createNamespaceHosts({ count: 3, dockerHost });
  const { hosts } = await cluster;
  const [h1, h2, h3] = hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
  for (const host of hosts) console.log(`host ${host.name}: ${host.ip} (netns ${host.netnsName}), socket ${host.socketPath}, log ${host.logPath}`);
  const init = await shoal(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
  const token = /--token (\S+)/.exec(init)?.[1] ?? '';
  for (const h of [h2, h3]) await shoal(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`]);
  await new Promise((r) => setTimeout(r, 2000));
  await shoal(h1, ['node', 'ls']);
  await shoal(h1, ['service', 'create', '--name', 'web', '--replicas', '3', 'shoal-test/busybox:latest', 'httpd', '-f', '-p', '80', '-h', '/var/www']);
  await shoal(h1, ['service', 'ls']);
  await shoal(h1, ['service', 'ps', 'web']);
  // A Compose file written for Docker Swarm, deployed unchanged: web, cache and worker with a config and a secret.
  const compose = resolve(import.meta.dirname, '../deploy/examples/webapp/docker-compose.yml');
  await shoal(h1, ['stack', 'deploy', '--detach=false', '-c', compose, 'webapp']);
  await waitForStack(h1, 'webapp', 120_000);
  await shoal(h1, ['stack', 'ls']);
  await shoal(h1, ['stack', 'services', 'webapp']);
  await shoal(h1, ['stack', 'ps', 'webapp']);
  await checkRoutingMesh(hosts, 8080, 60_000);
  console.log('\nsummary: a 3-node swarm (1 manager, 2 workers) is up; service "web" runs 3/3 replicas, one per node, and stack "webapp" (web, cache, worker) has every task running and answers on port 8080 of every host through the routing mesh.');
  if (once) return;
  console.log('\nThe demo swarm stays up. Try, in another shell:');
  console.log(`  node bin/shoal.js -H unix://${h1.socketPath} service ls`);
  console.log(`  node bin/shoal.js -H unix://${h1.socketPath} service scale web=5`);
  console.log(`  curl http://${h2.ip}:8080/   # the routing mesh, from any host`);
  console.log(`  node bin/shoal.js -H unix://${h1.socketPath} stack rm webapp`);
  console.log('Press Ctrl-C to tear everything down.');
  await stopRequested;
}

async function teardown(): Promise<void> {
  const hosts = await cluster?.catch(() => undefined); // a failed start removed its own hosts
  if (hosts !== undefined) {
    await hosts.teardown();
    console.log('demo hosts removed');
  }
  const lease = await engine?.catch(() => undefined);
  await lease?.release();
}

process.exit(await runInterruptibly(demo, teardown, (line) => console.log(line)));
