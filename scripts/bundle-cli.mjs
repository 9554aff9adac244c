// `npm run build`, second step: bundles the CLI (src/cli/main.ts and what it
// imports) into dist/cli-bundle/ for bin/shoal.js. Node 20 spends more time
// finding, reading and compiling a hundred small ES modules than running a
// command, so the CLI ships as one file plus chunks for what only some
// commands load (gRPC client, Compose loader), each fetched on first use.
// The daemon stays the tsc output: its native and optional dependencies
// (classic-level, ssh2) load from node_modules as they expect.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `import('../../daemon/index.js')` in the daemon command resolves to dist/daemon/ at run time, not into the bundle. */
const daemonStaysOutside = {
  name: 'daemon-stays-outside',
  setup(b) {
    b.onResolve({ filter: /\/daemon\/index\.js$/ }, () => ({ path: '../daemon/index.js', external: true }));
  },
};

// Chunk names carry content hashes: clear the last build's so that none lingers.
rmSync(join(root, 'dist/cli-bundle'), { recursive: true, force: true });

/**
 * The codecs load protobufjs on first use through createRequire, which the
 * bundler cannot follow: it would be read from node_modules, twenty-odd files,
 * at every command that talks to the daemon. A plain require() is bundled and
 * still runs only when first called.
 */
const LAZY_PROTOBUF = "createRequire(import.meta.url)('protobufjs/light.js')";
const protobufInBundle = {
  name: 'protobuf-in-bundle',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]gen[\\/]codec\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(LAZY_PROTOBUF)) throw new Error(`${args.path} no longer loads protobufjs with ${LAZY_PROTOBUF}: update scripts/bundle-cli.mjs with scripts/gen-proto.mjs`);
      return { contents: source.replace(LAZY_PROTOBUF, "require('protobufjs/light.js')"), loader: 'ts' };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli-bundle', // two levels below the root, as dist/common/version.js: its ../../package.json still resolves
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Source maps for stack traces under --log-level debug (runCli turns them on then).
  sourcemap: true,
  minify: true, // less source to parse at every start; the source maps keep traces readable
  plugins: [daemonStaysOutside, protobufInBundle],
  // Bundled CommonJS packages (commander, grpc-js) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as shoalCreateRequire } from 'node:module'; const require = shoalCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
