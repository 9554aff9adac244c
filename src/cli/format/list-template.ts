import { parseGoTemplate } from './template.js';
import { jsonLine } from './go-json.js';
import { renderTable, type ListFormat, type TemplateFormat } from './table.js';

/**
 * Rows through a custom `--format` template, as Docker's formatter does: one
 * execution per row; with a `table` template, a header row from the column
 * names and cells aligned at tabs.
 */
export function renderTemplateRows(rows: readonly Readonly<Record<string, unknown>>[], headers: Readonly<Record<string, string>>, format: TemplateFormat): string[] {
  const template = parseGoTemplate(format.template);
  const body = rows.flatMap((r) => template.execute(r).split('\n'));
  if (!format.table) return body;
  const header = template.executeHeader(headers).split('\n');
  const cells = [...header, ...body].map((line) => line.split('\t'));
  const width = Math.max(...cells.map((c) => c.length));
  const padded = cells.map((c) => [...c, ...Array<string>(width - c.length).fill('')].slice(0, width));
  return renderTable(padded[0] ?? [], padded.slice(1));
}

/** How one list command lays out its rows in each `--format`. */
export interface ListLayout<R> {
  /** What `-q` prints per row. */
  quiet: (row: R) => string;
  /** The default table's headers, and each row's cells under them. */
  headers: readonly string[];
  cells: (row: R) => string[];
  /** Column names for a custom `table {{...}}` template. */
  templateHeaders: Readonly<Record<string, string>>;
}

/** A list in the requested format: IDs, JSON lines, Docker's table, or a custom template. */
export function renderRows<R extends Readonly<Record<string, unknown>>>(rows: readonly R[], format: ListFormat, layout: ListLayout<R>): string[] {
  switch (format) {
    case 'quiet':
      return rows.map(layout.quiet);
    case 'json':
      return rows.map((r) => jsonLine({ ...r }));
    case 'table':
      return renderTable(layout.headers, rows.map(layout.cells));
    default:
      return renderTemplateRows(rows, layout.templateHeaders, format);
  }
}
