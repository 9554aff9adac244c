import type { ServiceSpec } from '../../gen/index.js';
import { usageError } from '../errors.js';

/** Cross-flag checks Docker's daemon makes on the endpoint, done before anything is sent. */
export function checkEndpoint(spec: ServiceSpec): void {
  const endpoint = spec.endpoint;
  if (endpoint === undefined) return;
  if (endpoint.mode === 'DNSRR' && endpoint.ports.some((p) => p.publishMode === 'INGRESS')) {
    throw usageError('port published with ingress mode can\'t be used with dnsrr mode; publish with mode=host or use --endpoint-mode vip');
  }
  const seen = new Set<string>();
  for (const p of endpoint.ports) {
    if (p.publishedPort === 0) continue;
    const key = `${p.publishedPort}/${p.protocol}`;
    if (seen.has(key)) throw usageError(`published port ${p.publishedPort}/${p.protocol.toLowerCase()} is given twice; each published port can be used once`);
    seen.add(key);
  }
}
