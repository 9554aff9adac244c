// Lint keeps the promises awaited, the imports acyclic, and the pure cores
// pure (no I/O, timers, clock or global randomness): STYLE.md.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const pureCores = ['src/raft/core/**/*.ts', 'src/scheduler/**/*.ts', 'src/manager/orchestrator/reconcile*.ts', 'src/manager/orchestrator/**/reconcile*.ts', 'src/worker/controller/**/*.ts', 'src/stack/**/*.ts', 'src/overlay/ipam/**/*.ts', 'src/manager/allocator/**/*.ts'];

const impureModules = ['fs', 'net', 'dgram', 'http', 'https', 'http2', 'child_process', 'cluster', 'worker_threads', 'timers', 'os', 'process', 'crypto', 'dns', 'readline']
  .flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

// Test builders and harnesses beside the code end in .test-support.ts; the build leaves them out of dist/.
const tests = ['**/*.test.ts', '**/*.test-support.ts'];
const testSupportOnlyInTests = { group: ['**/*.test-support.js'], message: 'test support is left out of dist/: import it from tests only' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/gen/**', 'coverage/**', '.tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
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
