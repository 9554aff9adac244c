// Human units for explanations: users read these in `service ps` ERROR, so
// they must match how they typed the reservation (--reserve-memory 512M).

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Bytes as Docker-style binary units: 536870912 → "512MiB", 1610612736 → "1.5GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trimNumber(value)}${BINARY_UNITS[unit] ?? 'B'}`;
}

/** Nano-CPUs as CPUs: 500000000 → "0.5 CPUs", 1e9 → "1 CPU". */
export function formatCpus(nanoCpus: number): string {
  const cpus = nanoCpus / 1e9;
  return `${trimNumber(cpus)} ${cpus === 1 ? 'CPU' : 'CPUs'}`;
}

/** "1 node" / "3 nodes". */
export function countNodes(count: number): string {
  return count === 1 ? '1 node' : `${count} nodes`;
}

/** Picks the verb form agreeing with a node count: verb(1, 'lacks', 'lack'). */
export function verb(count: number, singular: string, plural: string): string {
  return count === 1 ? singular : plural;
}

function trimNumber(value: number): string {
  // Two decimals are enough to tell reservations apart; trailing zeros are noise.
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}
