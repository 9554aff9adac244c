// Carries out a deploy plan against the Control API, printing Docker's
// lines as it goes. All checking happened in planDeploy; what can still fail
// here is the cluster itself (a lost leader, a concurrent change).
import type { Output } from '../output.js';
import { stackCreatingLine, stackRemovingLine, stackUpdatingLine } from '../format/index.js';
import type { StackControl } from './control.js';
import { withObjectIds, type DeployPlan } from './deploy-plan.js';

/** A service the deploy created, updated or kept, to wait on. */
export interface DeployedService {
  readonly id: string;
  readonly name: string;
}

/** Runs the plan's steps in order; returns every service of the stack the files name, to wait on (as Docker does). */
export async function applyDeploy(plan: DeployPlan, control: StackControl, output: Output): Promise<DeployedService[]> {
  const secretIds = new Map(plan.secretIds);
  const configIds = new Map(plan.configIds);
  const deployed: DeployedService[] = [];
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'remove-service':
        output.out(stackRemovingLine('service', step.name));
        await control.removeService({ serviceId: step.id });
        break;
      case 'create-network':
        output.out(stackCreatingLine('network', step.name));
        await control.createNetwork({ spec: step.spec });
        break;
      case 'create-secret': {
        output.out(stackCreatingLine('secret', step.name));
        const { secret } = await control.createSecret({ spec: step.spec });
        if (secret) secretIds.set(step.name, secret.id);
        break;
      }
      case 'create-config': {
        output.out(stackCreatingLine('config', step.name));
        const { config } = await control.createConfig({ spec: step.spec });
        if (config) configIds.set(step.name, config.id);
        break;
      }
      // Docker's SecretUpdate/ConfigUpdate in stack deploy print nothing.
      case 'update-secret':
        await control.updateSecret({ secretId: step.id, secretVersion: step.version, spec: step.spec, validateOnly: false });
        break;
      case 'update-config':
        await control.updateConfig({ configId: step.id, configVersion: step.version, spec: step.spec, validateOnly: false });
        break;
      case 'create-service': {
        output.out(stackCreatingLine('service', step.name));
        const { service, warnings } = await control.createService({ spec: withObjectIds(step.spec, secretIds, configIds) });
        for (const w of warnings) output.err(w);
        if (service) deployed.push({ id: service.id, name: step.name });
        break;
      }
      case 'update-service': {
        output.out(stackUpdatingLine(step.name, step.id));
        const spec = withObjectIds(step.spec, secretIds, configIds);
        const { warnings } = await control.updateService({ serviceId: step.id, serviceVersion: step.version, spec, rollback: 'NONE', force: false, rebalance: false });
        for (const w of warnings) output.err(w);
        deployed.push({ id: step.id, name: step.name });
        break;
      }
      case 'keep-service':
        // Docker sends every service and swarmkit finds nothing to do; not
        // sending it keeps the version as it is. Waited on all the same.
        output.out(stackUpdatingLine(step.name, step.id));
        deployed.push({ id: step.id, name: step.name });
        break;
    }
  }
  return deployed;
}
