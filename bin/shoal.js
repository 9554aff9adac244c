#!/usr/bin/env node
// The `shoal` executable. The CLI and daemon are compiled to dist/ by
// `npm run build` (the CLI bundled into dist/cli-bundle/ so that it starts
// fast: scripts/bundle-cli.mjs); this file only hands over to them.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('shoal is not built: run `npm run build` in the shoal checkout first\n');
  process.exit(1);
}
// A reader that went away (`shoal service ls | head -1`) is not an error of
// ours: stop quietly, as other Unix tools do, instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
// Stack traces under --log-level debug name the TypeScript sources; Node reads
// a module's source map only if maps are on when the module loads.
const args = process.argv.slice(2);
const debug = args.some((a, i) => a === '--log-level=debug' || ((a === '--log-level' || a === '-l') && args[i + 1] === 'debug'));
if (debug) process.setSourceMapsEnabled(true);
const { runCli } = await import(entry.href);
const code = await runCli(args);
// stdout/stderr are asynchronous when they are pipes: exiting at once would
// cut long output (a big inspect) short. An empty write's callback runs
// once everything written before it has been handed to the OS.
const flushed = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
