import Docker from 'dockerode';

/** The Docker Engine a node runs its tasks on. */
export type Engine = Docker;

/** Connects to `unix:///path`, `tcp://host:port` or `http://host:port` (no call is made yet). */
export function connectEngine(dockerHost: string): Engine {
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** What `shoal info` shows about the engine, or why it could not be reached. */
export type EngineSummary = { ok: true; version: string; ncpu: number; memTotalBytes: number; labels: Record<string, string> } | { ok: false; error: string };

/** Asks the engine for its version and resources, bounded in time. */
export async function describeEngine(engine: Engine, timeoutMs = 3000): Promise<EngineSummary> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const info = (await Promise.race([engine.info(), timeout])) as { ServerVersion: string; NCPU: number; MemTotal: number; Labels?: string[] | null };
    const labels: Record<string, string> = {};
    for (const label of info.Labels ?? []) {
      const at = label.indexOf('=');
      if (at > 0) labels[label.slice(0, at)] = label.slice(at + 1);
    }
    return { ok: true, version: info.ServerVersion, ncpu: info.NCPU, memTotalBytes: info.MemTotal, labels };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
