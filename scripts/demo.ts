// The demo cluster: three namespace hosts on one machine, each running its
// own `shoal daemon` against the shared Docker Engine, shown through the
// same CLI a user types. Stays up until Ctrl-C (or tears down at once with --once).
import { createNamespaceHosts, type NamespaceHost } from '../test/support/namespace-hosts.js';

const once = process.argv.includes('--once');

function show(title: string, host: NamespaceHost, result: { stdout: string; stderr: string; code: number | null }): void {
  console.log(`\n$ shoal -H unix://${host.socketPath} ${title}`);
  if (result.stdout.trim()) console.log(result.stdout.trimEnd());
  if (result.stderr.trim()) console.log(result.stderr.trimEnd());
}

const cluster = await createNamespaceHosts({ count: 3 });
let exitCode = 0;
try {
  for (const host of cluster.hosts) {
    console.log(`host ${host.name}: ${host.ip} (netns ${host.netnsName}), daemon pid ${host.pid ?? '?'}, log ${host.logPath}`);
  }
  for (const host of cluster.hosts) show('info', host, await host.run(['info']));
  const [first] = cluster.hosts;
  if (first) {
    // Forming the swarm is the cluster work (issue #5); until it lands the CLI says so plainly.
    const init = await first.run(['swarm', 'init', '--advertise-addr', first.ip]);
    show(`swarm init --advertise-addr ${first.ip}`, first, init);
  }
  console.log('\nsummary: 3 hosts up, each daemon answering on its socket; swarm formation arrives with the cluster work.');
  if (!once) {
    console.log('\nThe demo hosts stay up. Try, in another shell:');
    for (const host of cluster.hosts) console.log(`  node bin/shoal.js -H unix://${host.socketPath} info`);
    console.log('Press Ctrl-C to tear everything down.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await cluster.teardown();
  console.log('demo hosts removed');
}
process.exit(exitCode);
