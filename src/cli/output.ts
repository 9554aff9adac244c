/** Where a command writes; injected so tests capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** The real terminal. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Docker's table layout: a header row in capitals, columns left-aligned and
 * separated by at least three spaces, the last column not padded.
 */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `--format json` on a list: one JSON object per line, as Docker 28 prints. */
export function formatJsonLines(objects: object[]): string[] {
  return objects.map((o) => JSON.stringify(o));
}

/** Bytes as Docker prints them (e.g. "23.4GiB"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2).replace(/\.?0+$/, '')}${units[unit]}`;
}
