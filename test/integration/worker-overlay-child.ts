// One node's worker side as the daemon wires it (src/daemon/node-overlay.ts):
// a real Agent on the test engine with the OverlayAttacher and the embedded
// DNS, run inside the node's network namespace (nsenter --net=...). Prints
// "ready", then answers each stdin line with one stdout line:
//   {"apply": {resources, tasks, nodeAttachments}} → "ok" once the agent took the tasks and the overlay converged
//   {"statuses": true}                             → "statuses <JSON of agent.statuses()>"
//   {"leave": true}                                → "ok" after every task is gone and the overlay removed
// Logs go to stderr (SHOAL_TEST_LOG=debug to see them).
import { createInterface } from 'node:readline';
import pino from 'pino';
import type { Config, Network, NetworkAttachment, OverlayPeer, Secret, Service, Task } from '../../src/gen/index.js';
import { startNodeOverlay } from '../../src/daemon/node-overlay.js';
import { Agent, connectEngine, DockerExecutor, peerKey } from '../../src/worker/index.js';

const [nodeId = '', vtep = '', dataDir = '', dockerHost = ''] = process.argv.slice(2);
const log = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }, pino.destination(2));
const engine = connectEngine(dockerHost);
let agent: Agent | undefined;
const overlay = startNodeOverlay({
  identity: { formatVersion: 1, nodeId, clusterId: 'c', role: 'worker', raftId: 0, advertiseAddr: `${vtep}:2377`, listenAddr: '0.0.0.0:2377', dataPathAddr: vtep, dataPathPort: 4789, managerAddrs: [] },
  engine,
  log,
  localTasks: () => agent?.localTasks() ?? [],
});
agent = new Agent({ nodeId, executor: new DockerExecutor({ engine, logger: log, attacher: overlay.attacher }), dataDir, logger: log, resyncPeriodMs: 1_000, statusBatchDelayMs: 10 });
const started = agent;
started.onResources((resources) => overlay.attacher.setResources(resources));
started.onStatus(() => overlay.attacher.refresh());
started.onTasks(() => overlay.attacher.refresh());
await started.start();
console.log('ready');

interface ApplyMessage {
  resources: { networks: Network[]; peers: OverlayPeer[]; services: Service[] };
  tasks: Task[];
  nodeAttachments: NetworkAttachment[];
}

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { apply?: ApplyMessage; statuses?: boolean; leave?: boolean };
  try {
    if (message.apply !== undefined) {
      const { resources, tasks, nodeAttachments } = message.apply;
      overlay.attacher.setNodeAttachments(nodeAttachments);
      started.setResources({
        secrets: new Map<string, Secret>(),
        configs: new Map<string, Config>(),
        networks: new Map(resources.networks.map((n) => [n.id, n])),
        peers: new Map(resources.peers.map((p) => [peerKey(p), p])),
        services: new Map(resources.services.map((s) => [s.id, s])),
      });
      await started.setAssignments(tasks);
      // Answer once the overlay holds what these assignments mean.
      await overlay.attacher.reconcile();
      console.log('ok');
    } else if (message.statuses === true) {
      console.log(`statuses ${JSON.stringify(started.statuses())}`);
    } else if (message.leave === true) {
      await started.setAssignments([]);
      await started.idle();
      await overlay.attacher.shutdown();
      await started.close();
      await overlay.close();
      console.log('ok');
    }
  } catch (error) {
    console.log(`error ${String(error).replace(/\n/g, ' ')}`);
  }
}
