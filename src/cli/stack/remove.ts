// `stack rm NAME`: everything labelled with the stack's namespace goes, in
// Docker's order (services, then secrets, configs and networks, which the
// services were using). A failure is reported and the rest still removed.
import type { Output } from '../output.js';
import { stackRemovingLine } from '../format/index.js';
import { describeFailure } from '../failure.js';
import type { StackControl } from './control.js';
import type { ClusterView } from './deploy-plan.js';

/** One object to remove. */
export interface Removal {
  readonly kind: 'service' | 'secret' | 'config' | 'network';
  readonly id: string;
  readonly name: string;
}

/** The stack's objects in removal order, each kind by name; empty when nothing carries the namespace. */
export function planRemove(stackObjects: ClusterView): Removal[] {
  const of = (kind: Removal['kind'], list: readonly { id: string; spec?: { annotations?: { name: string } | undefined } | undefined }[]): Removal[] =>
    list.map((o) => ({ kind, id: o.id, name: o.spec?.annotations?.name ?? o.id })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...of('service', stackObjects.services), ...of('secret', stackObjects.secrets), ...of('config', stackObjects.configs), ...of('network', stackObjects.networks)];
}

/** Removes each object, printing Docker's lines; returns whether every removal worked. */
export async function applyRemove(removals: readonly Removal[], control: StackControl, output: Output, host: string): Promise<boolean> {
  let ok = true;
  for (const r of removals) {
    output.out(stackRemovingLine(r.kind, r.name));
    try {
      if (r.kind === 'service') await control.removeService({ serviceId: r.id });
      else if (r.kind === 'secret') await control.removeSecret({ secretId: r.id });
      else if (r.kind === 'config') await control.removeConfig({ configId: r.id });
      else await control.removeNetwork({ networkId: r.id });
    } catch (error) {
      ok = false;
      output.err(`Failed to remove ${r.kind} ${r.name}: ${describeFailure(error, host).message}`);
    }
  }
  return ok;
}

