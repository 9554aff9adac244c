import { codec, type ServiceSpec } from '../../gen/index.js';
import { CliError, usageError } from '../errors.js';
import { oneLine } from './flag-error.js';

/** One `service scale` argument: which service, and to how many. */
export interface ScaleRequest {
  service: string;
  replicas: number;
}

/**
 * `web=3 api=5` to scale requests. A malformed specifier is a usage error
 * (Docker checks all of them before scaling anything); a bad count is reported
 * per service, as Docker does, in `errors`.
 */
export function parseScaleArgs(args: readonly string[]): { requests: ScaleRequest[]; errors: string[] } {
  if (args.length === 0) throw usageError('"shoal service scale" requires at least 1 argument; usage: shoal service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]');
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0 || eq === arg.length - 1) throw usageError(`invalid scale specifier '${oneLine(arg)}'; use SERVICE=REPLICAS, e.g. web=3`);
  }
  const requests: ScaleRequest[] = [];
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const service = arg.slice(0, eq);
    const count = arg.slice(eq + 1);
    if (!/^\d+$/.test(count) || !Number.isSafeInteger(Number(count))) {
      errors.push(`${oneLine(service)}: invalid replicas value ${oneLine(count)}: must be a whole number >= 0`);
      continue;
    }
    requests.push({ service, replicas: Number(count) });
  }
  return { requests, errors };
}

/** The spec with its replica count set; only replicated services and replicated jobs scale. */
export function scaleSpec(current: ServiceSpec, replicas: number): ServiceSpec {
  const spec = codec.ServiceSpec.fromPartial(structuredClone(current));
  spec.mode ??= codec.ServiceMode.fromPartial({});
  if (spec.mode.kind === 'REPLICATED') spec.mode.replicas = replicas;
  else if (spec.mode.kind === 'REPLICATED_JOB') spec.mode.totalCompletions = replicas;
  else throw new CliError('scale can only be used with replicated or replicated-job mode');
  return spec;
}

/** The line Docker prints once a service is scaled. */
export function scaledLine(service: string, replicas: number): string {
  return `${service} scaled to ${replicas}`;
}
