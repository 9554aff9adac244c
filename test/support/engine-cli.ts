// Shell entry to the same engine bootstrap the tests use (demo script, .ci/run):
//   export "$(npx tsx test/support/engine-cli.ts start)"   # prints DOCKER_HOST=unix://...
//   npx tsx test/support/engine-cli.ts images               # builds shoal-test/busybox if missing
//   npx tsx test/support/engine-cli.ts node-image           # builds the container-host node image
//   npx tsx test/support/engine-cli.ts stop                 # stops the private dockerd, if running
// Progress goes to stderr; stdout carries only the DOCKER_HOST=... line.
import { dockerClient, engineAnswers, PRIVATE_DOCKER_HOST, startTestEngine, stopPrivateEngine } from './docker-engine.js';
import { adoptPrivateEngine } from './engine-lease.js';
import { ensureNodeImage } from './node-image.js';
import { ensureTestImages } from './test-images.js';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'start': {
      const engine = await startTestEngine();
      adoptPrivateEngine(); // the script now stops it (`stop`), not a test run's teardown
      process.stdout.write(`DOCKER_HOST=${engine.dockerHost}\n`);
      return 0;
    }
    case 'env': {
      const host = process.env.DOCKER_HOST !== undefined && (await engineAnswers(process.env.DOCKER_HOST))
        ? process.env.DOCKER_HOST
        : PRIVATE_DOCKER_HOST;
      process.stdout.write(`DOCKER_HOST=${host}\n`);
      return (await engineAnswers(host)) ? 0 : 1;
    }
    case 'images': {
      const engine = await startTestEngine();
      await ensureTestImages(dockerClient(engine.dockerHost));
      process.stdout.write(`DOCKER_HOST=${engine.dockerHost}\n`);
      return 0;
    }
    case 'node-image': {
      const engine = await startTestEngine();
      const docker = dockerClient(engine.dockerHost);
      await ensureTestImages(docker);
      process.stdout.write(`${await ensureNodeImage(docker)}\n`);
      return 0;
    }
    case 'stop':
      await stopPrivateEngine();
      return 0;
    default:
      process.stderr.write('usage: engine-cli.ts start|env|images|node-image|stop\n');
      return 125;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[test-env] error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
