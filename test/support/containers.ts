// Small dockerode helpers for tests that run busybox containers on an engine.
import type Docker from 'dockerode';
import { BUSYBOX_IMAGE, TEST_LABEL } from './test-images.js';

/** Output and exit code of a container that ran to completion. */
export interface ContainerRun {
  exitCode: number;
  output: string;
}

/** Options for runToCompletion. */
export interface RunContainerOptions {
  image?: string;
  network?: string;
  name?: string;
  timeoutMs?: number;
}

/** Runs `cmd` in a new labelled container, waits (bounded) for it to exit, returns its output, removes it. */
export async function runToCompletion(docker: Docker, runLabel: string, cmd: string[], options: RunContainerOptions = {}): Promise<ContainerRun> {
  const container = await docker.createContainer({
    Image: options.image ?? BUSYBOX_IMAGE,
    Cmd: cmd,
    Tty: true, // one plain output stream instead of Docker's multiplexed framing
    Labels: { [TEST_LABEL]: runLabel },
    ...(options.name !== undefined ? { name: options.name } : {}),
    HostConfig: options.network !== undefined ? { NetworkMode: options.network } : {},
  });
  try {
    await container.start();
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`container ${cmd.join(' ')} still running after ${timeoutMs}ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode: result.StatusCode, output: logs.toString() };
  } finally {
    await container.remove({ force: true });
  }
}

/** Force-removes every container labelled `shoal.test=<runLabel>`; returns how many. */
export async function removeLabelledContainers(docker: Docker, runLabel: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${runLabel}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  return list.length;
}
