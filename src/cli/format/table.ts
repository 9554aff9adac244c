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

/** How a list is printed: Docker's table, IDs only (-q), or one JSON object per line (--format json). */
export type ListFormat = 'table' | 'quiet' | 'json';

/**
 * Picks the list format from `-q` and `--format` as Docker does: `json` wins,
 * `table` or nothing gives the table (or IDs with -q). Other Go templates are
 * not supported; the caller reports them.
 */
export function listFormat(opts: { quiet?: boolean | undefined; format?: string | undefined }): ListFormat | undefined {
  const format = (opts.format ?? '').trim();
  if (format === 'json') return 'json';
  if (format === '' || format === 'table') return opts.quiet === true ? 'quiet' : 'table';
  return undefined;
}
