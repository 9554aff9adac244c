import { ControlService, DaemonService, LogsService } from '../gen/index.js';
import { createClient, type RpcClient } from '../rpc/index.js';
import { resolveHost } from '../common/defaults.js';
import type { Output } from './output.js';

/** What every command gets: where the daemon is, and where to print. */
export interface CliContext {
  readonly output: Output;
  /** The daemon's address from -H / SHOAL_HOST / the default socket. */
  host(): string;
  daemon(): RpcClient<typeof DaemonService>;
  control(): RpcClient<typeof ControlService>;
  logs(): RpcClient<typeof LogsService>;
  /** Closes whatever clients were opened. */
  close(): void;
}

/** Builds the context lazily: commands like `daemon` never open a client. */
export function createCliContext(output: Output, hostFlag: () => string | undefined): CliContext {
  const clients: { close(): void }[] = [];
  const target = (): string => {
    const host = resolveHost(hostFlag());
    return host.startsWith('tcp://') ? host.slice('tcp://'.length) : host;
  };
  return {
    output,
    host: () => resolveHost(hostFlag()),
    daemon: () => {
      const c = createClient(DaemonService, target());
      clients.push(c);
      return c;
    },
    control: () => {
      const c = createClient(ControlService, target());
      clients.push(c);
      return c;
    },
    logs: () => {
      const c = createClient(LogsService, target());
      clients.push(c);
      return c;
    },
    close: () => clients.forEach((c) => c.close()),
  };
}
