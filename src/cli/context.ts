// Start-up time: the gRPC client (grpc-js, the protobuf codecs) costs more
// than Node's own start, so it is loaded only once a command's action runs
// (runCli awaits loadClients() first); --help and usage errors never load it.
import type { ControlService, DaemonService, LogsService } from '../gen/index.js';
import type { RpcClient } from '../rpc/index.js';
import { resolveHost } from '../common/defaults.js';
import type { Output } from './output.js';

/** What every command gets: where the daemon is, and where to print. */
export interface CliContext {
  readonly output: Output;
  /** The daemon's address from -H / SHOAL_HOST / the default socket. */
  host(): string;
  /** Loads the client code; runCli calls it before any action, so the getters below may be called synchronously. */
  loadClients(): Promise<void>;
  daemon(): RpcClient<typeof DaemonService>;
  control(): RpcClient<typeof ControlService>;
  logs(): RpcClient<typeof LogsService>;
  /** Closes whatever clients were opened. */
  close(): void;
}

interface ClientCode {
  rpc: typeof import('../rpc/index.js');
  gen: typeof import('../gen/index.js');
}

/** Builds the context lazily: commands like `daemon` never open a client. */
export function createCliContext(output: Output, hostFlag: () => string | undefined): CliContext {
  const clients: { close(): void }[] = [];
  let code: ClientCode | undefined;
  const target = (): string => {
    const host = resolveHost(hostFlag());
    return host.startsWith('tcp://') ? host.slice('tcp://'.length) : host;
  };
  const loaded = (): ClientCode => {
    if (code === undefined) throw new Error('bug: a command asked for a client before runCli loaded the client code');
    return code;
  };
  const open = <C extends { close(): void }>(make: (c: ClientCode) => C): C => {
    const client = make(loaded());
    clients.push(client);
    return client;
  };
  return {
    output,
    host: () => resolveHost(hostFlag()),
    loadClients: async () => {
      const [rpc, gen] = await Promise.all([import('../rpc/index.js'), import('../gen/index.js')]);
      code = { rpc, gen };
    },
    daemon: () => open((c) => c.rpc.createClient(c.gen.DaemonService, target())),
    control: () => open((c) => c.rpc.createClient(c.gen.ControlService, target())),
    logs: () => open((c) => c.rpc.createClient(c.gen.LogsService, target())),
    close: () => clients.forEach((c) => c.close()),
  };
}
