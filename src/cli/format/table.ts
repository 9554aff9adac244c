/**
 * Docker's table layout (its tabwriter with minwidth 10, padding 3): every
 * column but the last is padded to max(10, widest cell + 3), empty cells
 * included, so rows with empty trailing columns end in spaces exactly as
 * Docker's do. Width counts code points, as Docker counts runes.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const width = (s: string): number => [...s].length;
  const widths = headers.map((h, i) => Math.max(10, width(h) + 3, ...rows.map((r) => width(r[i] ?? '') + 3)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c))))).join('');
  return [line(headers), ...rows.map(line)];
}

/** A custom `--format` template; `table` when it began with "table " (header row and aligned columns). */
export interface TemplateFormat {
  template: string;
  table: boolean;
}

/** How a list is printed: Docker's table, IDs only (-q), one JSON object per line (--format json), or a Go template. */
export type ListFormat = 'table' | 'quiet' | 'json' | TemplateFormat;

/**
 * Picks the list format from `-q` and `--format` as Docker does: `json`
 * gives JSON lines, `table` or nothing the table (IDs with -q), anything else
 * is a Go template (`table ` prefix for a headed table; `\t` and `\n` read as
 * tab and newline; -q ignored, as Docker ignores it with a custom format).
 */
export function listFormat(opts: { quiet?: boolean | undefined; format?: string | undefined }): ListFormat {
  const format = opts.format ?? '';
  if (format === 'json') return 'json';
  if (format === '' || format === 'table') return opts.quiet === true ? 'quiet' : 'table';
  const table = format.startsWith('table');
  const body = (table ? format.slice('table'.length) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { template: body, table };
}
