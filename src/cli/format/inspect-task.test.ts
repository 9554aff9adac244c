import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { taskInspectJson } from './inspect-task.js';

describe('taskInspectJson', () => {
  it('shows the network attachments with the network and the task addresses, as docker inspect TASK', () => {
    const network = codec.Network.fromPartial({
      id: 'net1',
      spec: { annotations: { name: 'appnet' }, driver: { name: 'overlay' } },
      ipam: [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }],
      driverState: { name: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } },
    });
    const task = codec.Task.fromPartial({ id: 't1', serviceId: 's1', slot: 2, nodeId: 'n1', desiredState: 'RUNNING', status: { state: 'RUNNING', message: 'started' }, networks: [{ networkId: 'net1', addresses: ['10.0.1.5/24'], aliases: ['db'] }] });
    const json = taskInspectJson(task, new Map([['net1', network]]));
    expect(json).toMatchObject({ ID: 't1', ServiceID: 's1', Slot: 2, NodeID: 'n1', DesiredState: 'running', Status: { State: 'running', Message: 'started' } });
    expect(json.NetworksAttachments).toEqual([
      {
        Network: expect.objectContaining({
          ID: 'net1',
          Spec: expect.objectContaining({ Name: 'appnet', DriverConfiguration: { Name: 'overlay' } }),
          DriverState: { Name: 'overlay', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } },
          IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
        }),
        Addresses: ['10.0.1.5/24'],
        Aliases: ['db'],
      },
    ]);
    expect(taskInspectJson(codec.Task.fromPartial({ id: 't2', desiredState: 'RUNNING' }), new Map())).not.toHaveProperty('NetworksAttachments');
  });
});
