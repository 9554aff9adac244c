// The test engine and the locally built busybox image behave as later tests
// assume: containers start, serve HTTP, resolve names and talk to each other.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type Docker from 'dockerode';
import { dockerClient } from '../support/docker-engine.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from '../support/test-images.js';
import { removeLabelledContainers, runToCompletion } from '../support/containers.js';

const RUN_LABEL = `engine-test-${process.pid}`;

describe('test Docker Engine', () => {
  let docker: Docker;

  beforeAll(() => {
    docker = dockerClient(inject('dockerHost'));
  });

  afterAll(async () => {
    await removeLabelledContainers(docker, RUN_LABEL);
  });

  it('answers on the DOCKER_HOST the workers inherit', async () => {
    expect(process.env.DOCKER_HOST).toBe(inject('dockerHost'));
    const info = (await docker.info()) as { ServerVersion: string };
    expect(info.ServerVersion).toMatch(/^\d+\./);
  });

  it('has the busybox test image without pulling it', async () => {
    const image = (await docker.getImage(BUSYBOX_IMAGE).inspect()) as { Config: { Cmd: string[] } };
    expect(image.Config.Cmd).toEqual(['sh']);
  });

  it('runs sh, and the applets tests rely on exist', async () => {
    const out = await runToCompletion(docker, RUN_LABEL, ['sh', '-c', 'echo hello from $0; for a in httpd sleep wget nslookup nc ping ip; do which $a || echo missing $a; done']);
    expect(out.exitCode).toBe(0);
    expect(out.output).toContain('hello from sh');
    for (const applet of ['httpd', 'sleep', 'wget', 'nslookup', 'nc', 'ping', 'ip']) expect(out.output).toMatch(new RegExp(`/${applet}\\r?\\n`));
  });

  it('serves HTTP with httpd that another container fetches with wget', async () => {
    const server = await docker.createContainer({
      Image: BUSYBOX_IMAGE,
      Cmd: ['sh', '-c', 'echo served-by-httpd > /var/www/index.html && exec httpd -f -p 8080 -h /var/www'],
      Labels: { [TEST_LABEL]: RUN_LABEL },
    });
    await server.start();
    const ip = (await server.inspect()).NetworkSettings.Networks.bridge?.IPAddress;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // Debian's busybox `wget -T` crashes, so `timeout` bounds the request; retry while httpd starts.
    const client = await runToCompletion(docker, RUN_LABEL, ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O - http://${ip}:8080/ && exit 0; sleep 0.5; done; exit 1`]);
    expect(client.output).toContain('served-by-httpd');
    expect(client.exitCode).toBe(0);
  });

  it('resolves container names with nslookup on a user-defined network', async () => {
    const network = await docker.createNetwork({ Name: `shoal-t-dns-${process.pid}`, Labels: { [TEST_LABEL]: RUN_LABEL } });
    try {
      const named = await docker.createContainer({
        Image: BUSYBOX_IMAGE,
        Cmd: ['sleep', '60'],
        name: `shoal-t-named-${process.pid}`,
        Labels: { [TEST_LABEL]: RUN_LABEL },
        HostConfig: { NetworkMode: network.id },
      });
      await named.start();
      const ip = (await named.inspect()).NetworkSettings.Networks[`shoal-t-dns-${process.pid}`]?.IPAddress;
      // Docker's embedded DNS (127.0.0.11) answers for containers on user-defined networks.
      const out = await runToCompletion(docker, RUN_LABEL, ['timeout', '10', 'nslookup', `shoal-t-named-${process.pid}`, '127.0.0.11'], { network: network.id });
      expect(out.exitCode, out.output).toBe(0);
      expect(out.output).toContain(ip);
      await named.remove({ force: true });
    } finally {
      await removeLabelledContainers(docker, RUN_LABEL);
      await network.remove();
    }
  });
});
