// One `shoal daemon` (or a stand-in) running inside a host's network namespace.
// nsenter --net joins only the network namespace; `ip netns exec` would also
// make a private mount namespace, hiding the daemon's task mounts (the secrets
// tmpfs) from the shared engine (CONTRACT.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tail } from './run-command.js';
import { progress } from './progress.js';
import { isAlive, waitFor, waitForAsync } from './wait.js';

/** How a daemon process is launched and where it answers. */
export interface DaemonSpec {
  netnsName: string;
  /** argv run inside the namespace (the daemon or a stand-in). */
  argv: string[];
  /** The unix socket that answers once the daemon is ready. */
  socketPath: string;
  logPath: string;
  env?: NodeJS.ProcessEnv;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** A daemon process that can be started, signalled and restarted; its output is appended to logPath. */
export class DaemonProcess {
  private child: ChildProcess | undefined;
  private exitNote: string | undefined;

  /** Creates a handle; nothing runs until start(). */
  constructor(readonly spec: DaemonSpec) {}

  /** Pid of the running daemon, if any. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child?.pid !== undefined && this.exitNote === undefined && isAlive(this.child.pid);
  }

  /** Starts the daemon and waits (bounded) until its socket accepts connections. */
  async start(): Promise<void> {
    if (this.running) return;
    const fd = openSync(this.spec.logPath, 'a');
    this.exitNote = undefined;
    const child = spawn('nsenter', [`--net=/run/netns/${this.spec.netnsName}`, ...this.spec.argv], {
      stdio: ['ignore', fd, fd],
      env: this.spec.env ?? process.env,
    });
    closeSync(fd);
    this.child = child;
    child.on('exit', (code, signal) => {
      if (this.child === child) this.exitNote = `exited ${code ?? signal}`;
    });
    child.on('error', (e) => {
      if (this.child === child) this.exitNote = `could not start: ${e.message}`;
    });
    const ready = await waitForAsync(async () => this.exitNote !== undefined || (await socketAnswers(this.spec.socketPath)), READY_TIMEOUT_MS);
    if (this.exitNote !== undefined || !ready) {
      const why = this.exitNote ?? `made no socket at ${this.spec.socketPath} within ${READY_TIMEOUT_MS}ms`;
      await this.stop();
      throw new Error(`daemon in ${this.spec.netnsName} ${why}; log ${this.spec.logPath}:\n${this.logTail()}`);
    }
  }

  /** Sends `signal`; for SIGTERM/SIGKILL/SIGINT waits (bounded) until the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, signal);
    if (signal === 'SIGTERM' || signal === 'SIGKILL' || signal === 'SIGINT') {
      const gone = await waitFor(() => !this.running, STOP_TIMEOUT_MS);
      if (!gone) throw new Error(`daemon in ${this.spec.netnsName} (pid ${pid}) still runs ${STOP_TIMEOUT_MS}ms after ${signal}`);
    }
  }

  /** Stops gracefully (SIGTERM), escalating to SIGKILL after a bounded wait. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      await this.kill('SIGTERM');
    } catch {
      progress(`daemon in ${this.spec.netnsName} ignored SIGTERM; killing it`);
      await this.kill('SIGKILL');
    }
  }

  /** Stops (if running) and starts again with the same data root and socket. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last part of the daemon's log. */
  logTail(): string {
    return existsSync(this.spec.logPath) ? tail(readFileSync(this.spec.logPath, 'utf8')) : '(no log)';
  }
}

/** Whether something accepts connections on a unix socket. */
export function socketAnswers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const sock = connect(socketPath);
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1_000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
