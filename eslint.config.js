// Lint keeps the promises awaited, the imports acyclic, the pure cores
// pure (no I/O, timers, clock or global randomness), and each component
// behind its index.ts: STYLE.md.
import { dirname, relative, resolve, sep } from 'node:path';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const pureCores = ['src/raft/core/**/*.ts', 'src/scheduler/**/*.ts', 'src/manager/orchestrator/reconcile*.ts', 'src/manager/orchestrator/**/reconcile*.ts', 'src/worker/controller/**/*.ts', 'src/stack/**/*.ts', 'src/overlay/ipam/**/*.ts', 'src/manager/allocator/**/*.ts'];

const impureModules = ['fs', 'net', 'dgram', 'http', 'https', 'http2', 'child_process', 'cluster', 'worker_threads', 'timers', 'os', 'process', 'crypto', 'dns', 'readline']
  .flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

// Test builders and harnesses beside the code end in .test-support.ts; the build leaves them out of dist/.
const tests = ['**/*.test.ts', '**/*.test-support.ts'];
const testSupportOnlyInTests = { group: ['**/*.test-support.js'], message: 'test support is left out of dist/: import it from tests only' };

const srcDir = resolve(import.meta.dirname, 'src');

/**
 * Leaf modules every component may import file by file: src/common has no
 * index on purpose, so a pure core that needs `assert` or `Result` does not
 * also load pino, crypto and the rest.
 */
const sharedLeafComponents = new Set(['common']);

/**
 * The few deep imports allowed, each with its reason ([importing file or
 * folder prefix, imported file], paths from the repository root).
 */
const allowedDeepImports = [
  // The simulation drives the pure Raft core directly; the core has its own index.
  ['test/', 'src/raft/core/index.js'],
  // daemon/index.ts stays small (every CLI run loads it); overlay tests wire the node's overlay as the daemon does.
  ['test/', 'src/daemon/node-overlay.js'],
  // The simulated nodes (scale tests and bench) run the real agent session and join handshake; daemon/index.ts stays small for CLI start-up.
  ['test/support/simulated-nodes.ts', 'src/daemon/agent-session.js'],
  ['test/support/simulated-nodes.ts', 'src/daemon/node-certificate.js'],
  // Dispatcher and agent session tested together over TLS; the session is not part of the daemon's lazy surface.
  ['src/manager/dispatcher/dispatcher.test.ts', 'src/daemon/agent-session.js'],
];

/** A test helper another component's tests may use: `*.testing.ts`, `*.test-support.ts`. */
const isTestHelper = (path) => /\.(testing|test-support)\.js$/.test(path);
const isTestFile = (path) => /\.test\.ts$/.test(path) || path.startsWith('test/') || path.startsWith('bench/');

/** src/X may import src/Y only through src/Y/index.js (STYLE.md: "its index.ts is its public surface"). */
const componentBoundaries = {
  meta: { type: 'problem', schema: [], messages: { deep: '{{component}} is imported only through src/{{component}}/index.js ("{{source}}" reaches into its files)' } },
  create(context) {
    const file = context.physicalFilename;
    const fromRoot = relative(import.meta.dirname, file).split(sep).join('/');
    const componentOf = (path) => {
      const rel = relative(srcDir, path);
      return rel.startsWith('..') ? undefined : rel.split(sep)[0];
    };
    const own = componentOf(file);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const component = componentOf(target);
      if (!component || component === own || sharedLeafComponents.has(component)) return;
      const targetFromRoot = relative(import.meta.dirname, target).split(sep).join('/');
      if (targetFromRoot === `src/${component}/index.js`) return;
      if (isTestFile(fromRoot) && isTestHelper(targetFromRoot)) return;
      if (allowedDeepImports.some(([from, to]) => fromRoot.startsWith(from) && targetFromRoot === to)) return;
      context.report({ node: node.source, messageId: 'deep', data: { component, source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/gen/**', 'coverage/**', '.tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, shoal: { rules: { 'component-boundaries': componentBoundaries } } },
    rules: {
      'shoal/component-boundaries': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: tests,
    rules: { 'no-restricted-imports': ['error', { paths: [], patterns: [testSupportOnlyInTests] }] },
  },
  {
    files: pureCores,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [], patterns: [testSupportOnlyInTests, { group: impureModules, message: 'pure core: inject I/O through a port (Storage, Transport, Clock, Random) instead' }, { group: ['pino', 'level', 'dockerode', '@grpc/*'], message: 'pure core: no I/O libraries' }] }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'pure core: count ticks instead of using timers' },
        { name: 'setInterval', message: 'pure core: count ticks instead of using timers' },
        { name: 'setImmediate', message: 'pure core: no timers' },
        { name: 'queueMicrotask', message: 'pure core: no scheduling' },
        { name: 'process', message: 'pure core: no process access' },
        { name: 'fetch', message: 'pure core: no I/O' },
        { name: 'performance', message: 'pure core: take time as an argument' }],
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'pure core: take `now` as an argument' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure core: take `now` as an argument' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'pure core: use the injected seeded PRNG' }],
    },
  },
);
