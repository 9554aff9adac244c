// The plan phase's question to the cluster: may each existing secret and
// config take what the files say? Asked with validate_only, so nothing
// changes; a refusal joins the planner's errors and the deploy stops before
// its first step, as every other planning error does.
import type { Stack } from '../../stack/index.js';
import { RpcError } from '../../rpc/index.js';
import { readCluster, type StackControl } from './control.js';
import { planDeploy, type DataObjectCheck, type DeployPlanResult } from './deploy-plan.js';

// What the cluster answers for a request it will not take; anything else
// (no leader, a lost connection) is not about the files and fails the deploy as it is.
const REFUSALS: ReadonlySet<RpcError['kind']> = new Set(['invalid-argument', 'failed-precondition', 'not-found']);

/** The cluster's one-line refusals of the given checks, in order; empty when it would take them all. */
export async function checkDataObjects(checks: readonly DataObjectCheck[], control: Pick<StackControl, 'updateSecret' | 'updateConfig'>): Promise<string[]> {
  const refusals: string[] = [];
  for (const check of checks) {
    try {
      if (check.kind === 'secret') await control.updateSecret({ secretId: check.id, secretVersion: check.version, spec: check.spec, validateOnly: true });
      else await control.updateConfig({ configId: check.id, configVersion: check.version, spec: check.spec, validateOnly: true });
    } catch (error) {
      if (error instanceof RpcError && REFUSALS.has(error.kind)) refusals.push(error.message);
      else throw error;
    }
  }
  return refusals;
}

/** Reads the cluster, plans the deploy and has the cluster check its secrets and configs: every reason not to deploy, or the plan. */
export async function prepareDeploy(stack: Stack, control: StackControl, opts: { readonly prune: boolean }): Promise<DeployPlanResult> {
  const planned = planDeploy(stack, await readCluster(control), opts);
  const refusals = await checkDataObjects(planned.ok ? planned.plan.checks : planned.checks, control);
  if (refusals.length === 0) return planned;
  return { ok: false, errors: [...(planned.ok ? [] : planned.errors), ...refusals], checks: planned.ok ? planned.plan.checks : planned.checks };
}
