// Public surface of Compose loading for `stack deploy`: a pure library that
// turns Compose files into the stack's specs (README.md in this folder).
export { loadStack, type ComposeFile, type LoadStackInput, type Stack } from './load.js';
export { formatDiagnostic, type Diagnostic, type LoadResult, type SourceLocation } from './diagnostics.js';
export { namespaceLabel, scope, type ReadFile } from './context.js';
export { imageLabel } from './service.js';
export { defaultNetwork, type StackNetwork } from './networks.js';
export type { StackVolume } from './volumes.js';
export type { DataSource, StackConfig, StackSecret } from './file-objects.js';
export { canonicalJson, canonicalServiceSpec, planServices, sameServiceSpec, type ServicePlan } from './canonical.js';
export { parseDurationMs, parseBytes, parseNanoCpus } from './units.js';
