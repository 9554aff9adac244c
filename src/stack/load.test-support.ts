// Shared by the loader's tests: an in-memory file system and short-hands.
import { formatDiagnostic } from './diagnostics.js';
import { loadStack, type LoadStackInput, type Stack } from './load.js';

/** A ReadFile port over an in-memory map of absolute path → text. */
export function memoryFiles(files: Record<string, string>): (path: string) => Uint8Array | undefined {
  return (path) => (path in files ? new TextEncoder().encode(files[path]) : undefined);
}

/** Load one file at /stack/docker-compose.yml as stack `shop`. */
export function load(text: string, extra: Partial<LoadStackInput> = {}) {
  return loadStack({ stackName: 'shop', files: [{ path: '/stack/docker-compose.yml', text }], env: {}, ...extra });
}

/** Load and expect success. */
export function loadOk(text: string, extra: Partial<LoadStackInput> = {}): { stack: Stack; warnings: readonly string[] } {
  const r = load(text, extra);
  if (!r.ok) throw new Error(`expected success, got:\n${r.errors.map(formatDiagnostic).join('\n')}`);
  return { stack: r.value, warnings: r.warnings };
}

/** Load and expect failure; the errors as printed. */
export function loadErrors(text: string, extra: Partial<LoadStackInput> = {}): string[] {
  const r = load(text, extra);
  if (r.ok) throw new Error('expected errors, got a stack');
  return r.errors.map(formatDiagnostic);
}

/** The named service's spec (by its Compose name). */
export function service(stack: Stack, name: string) {
  const s = stack.services.find((x) => x.annotations?.name === `${stack.namespace}_${name}`);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}
