// Every stack under deploy/examples loads cleanly and means what it says.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { loadStack, type Stack } from './load.js';

const examples = resolve(import.meta.dirname, '../../deploy/examples');
const readFile = (p: string) => (existsSync(p) ? readFileSync(p) : undefined);

function loadExample(dir: string, files = ['docker-compose.yml'], env: Record<string, string> = {}): { stack: Stack; warnings: readonly string[] } {
  const r = loadStack({ stackName: dir, env, readFile, files: files.map((f) => ({ path: join(examples, dir, f), text: readFileSync(join(examples, dir, f), 'utf8') })) });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return { stack: r.value, warnings: r.warnings };
}

const byName = (stack: Stack, name: string) => stack.services.find((s) => s.annotations?.name === `${stack.namespace}_${name}`);

describe('deploy/examples', () => {
  it('has the examples the tests below cover', () => {
    expect(readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()).toEqual(['override', 'placement', 'webapp']);
  });

  it('every service runs the test image', () => {
    for (const [dir, files] of [['webapp', undefined], ['placement', undefined], ['override', ['docker-compose.yml', 'docker-compose.prod.yml']]] as const) {
      const { stack, warnings } = loadExample(dir, files ? [...files] : undefined);
      expect(warnings).toEqual([]);
      for (const s of stack.services) expect(s.task?.container?.image).toBe('shoal-test/busybox:latest');
    }
  });

  it('webapp: web, cache and worker with a config, a secret, a published port, a healthcheck and update_config', () => {
    const { stack } = loadExample('webapp');
    expect(stack.services.map((s) => s.annotations?.name)).toEqual(['webapp_cache', 'webapp_web', 'webapp_worker']);
    const web = byName(stack, 'web');
    expect(web?.task?.container?.args).toEqual(['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 80 -h /www']);
    expect(web?.endpoint?.ports).toEqual([{ name: '', protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'INGRESS', preserveSourceIp: false }]);
    expect(web?.task?.container?.healthcheck).toEqual({ test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/healthz'], intervalMs: 5000, timeoutMs: 3000, startPeriodMs: 2000, retries: 3 });
    expect(web?.update).toEqual({ parallelism: 1, delayMs: 10_000, failureAction: 'ROLLBACK', monitorMs: 15_000, maxFailureRatio: 0, order: 'START_FIRST' });
    expect(web?.task?.container?.configs).toEqual([{ configId: '', configName: 'webapp_index_html', file: { name: '/www/index.html', uid: '0', gid: '0', mode: 0o444 } }]);
    expect(web?.task?.container?.stopGracePeriodMs).toBe(2000);
    const worker = byName(stack, 'worker');
    expect(worker?.task?.container?.secrets).toEqual([{ secretId: '', secretName: 'webapp_api_key', file: { name: 'api_key', uid: '0', gid: '0', mode: 0o444 } }]);
    expect(worker?.task?.container?.env).toEqual(['LOG_LEVEL=info', 'WORKER_INTERVAL=5']);
    expect(worker?.task?.container?.args[2]).toContain('$(cat /run/secrets/api_key)');
    expect(worker?.dependsOn).toEqual([{ service: 'webapp_web', condition: 'SERVICE_HEALTHY' }]);
    expect(byName(stack, 'cache')?.endpoint?.mode).toBe('DNSRR');
    expect(stack.networks.map((n) => [n.spec.annotations?.name, n.spec.internal, n.spec.attachable])).toEqual([['webapp_back', true, false], ['webapp_front', false, true]]);
    expect(Buffer.from(stack.configs[0]?.spec.data ?? []).toString()).toContain('hello from shoal');
    expect(stack.secrets[0]?.source).toEqual({ kind: 'file', path: join(examples, 'webapp/secrets/api_key.txt') });
  });

  it('webapp: the shell environment overrides its .env', () => {
    const { stack } = loadExample('webapp', undefined, { WEB_PORT: '9999' });
    expect(byName(stack, 'web')?.endpoint?.ports[0]?.publishedPort).toBe(9999);
  });

  it('placement: constraints, preferences, max_replicas_per_node and a global service', () => {
    const { stack } = loadExample('placement');
    expect(byName(stack, 'pinned')?.task?.placement).toEqual({
      constraints: ['node.platform.os == linux'], preferences: [{ spreadDescriptor: 'node.labels.zone' }], platforms: [], maxReplicas: 1, strategy: 'SPREAD',
    });
    expect(byName(stack, 'pinned')?.mode).toEqual({ kind: 'REPLICATED', replicas: 2, totalCompletions: 0, maxConcurrent: 0 });
    const agent = byName(stack, 'agent');
    expect(agent?.mode?.kind).toBe('GLOBAL');
    expect(agent?.task?.resources).toEqual({
      limits: { nanoCpus: 250_000_000, memoryBytes: 64 * 1024 ** 2, generic: [] },
      reservations: { nanoCpus: 100_000_000, memoryBytes: 16 * 1024 ** 2, generic: [] },
    });
    expect(stack.networks.map((n) => n.spec.annotations?.name)).toEqual(['placement_default']);
  });

  it('override: the prod file merges over the base', () => {
    const { stack } = loadExample('override', ['docker-compose.yml', 'docker-compose.prod.yml']);
    const web = byName(stack, 'web');
    expect(web?.mode?.replicas).toBe(3);
    expect(web?.task?.container?.env).toEqual(['GREETING=hello', 'MODE=prod']);
    expect(web?.endpoint?.ports.map((p) => `${p.publishedPort}:${p.targetPort}`)).toEqual(['80:80']);
    expect(web?.annotations?.labels.stage).toBe('prod');
    expect(web?.task?.container?.capAdd).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_TIME']);
  });
});
