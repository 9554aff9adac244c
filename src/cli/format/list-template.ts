import { parseGoTemplate } from './template.js';
import { renderTable, type TemplateFormat } from './table.js';

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
