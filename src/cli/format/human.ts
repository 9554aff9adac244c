/** Docker's units.HumanDuration: "Less than a second", "About a minute", "5 minutes", "2 hours", "3 days", ... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "5 minutes ago" for a moment before `nowMs`, as Docker's CREATED/UPDATED columns. */
export function humanAgo(thenMs: number, nowMs: number): string {
  return `${humanDuration(nowMs - thenMs)} ago`;
}

/** Docker's stringid.TruncateID: the first 12 characters. */
export function truncateId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

/** Docker's formatter.PrettyPrint: first letter upper case, the rest lower ("RUNNING" → "Running"). */
export function capitalize(text: string): string {
  if (text.length <= 1) return text.toLowerCase();
  return text[0]?.toUpperCase() + text.slice(1).toLowerCase();
}

/** Docker's formatter.Ellipsis: cut to `max` characters, the last replaced by "…". */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (max <= 0) return '';
  if (chars.length <= max) return text;
  if (max === 1) return chars[0] ?? '';
  return chars.slice(0, max - 1).join('') + '…';
}

/** Docker's units.BytesSize: binary units with 4 significant digits ("1GiB", "512MiB", "1.5GiB"). */
export function bytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${goG4(size)}${units[i]}`;
}

/** Go's %.4g for the magnitudes sizes take: 4 significant digits, no trailing zeros. */
export function goG4(n: number): string {
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 4) {
    const [mant = '0', e = '0'] = n.toExponential(3).split('e');
    const trimmed = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const expNum = Number(e);
    return `${trimmed}e${expNum < 0 ? '-' : '+'}${String(Math.abs(expNum)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, 3 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * An image reference as Docker's lists show it: a tagged reference loses its
 * digest and its default registry ("docker.io/library/nginx:1.27@sha256:..."
 * → "nginx:1.27"); an untagged one is shown as given.
 */
export function displayImage(image: string): string {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  if (!name.slice(lastSlash + 1).includes(':')) return image;
  return name.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** Go's sortorder.NaturalLess as a comparator: digit runs compare as numbers ("web2" < "web10"), digits before other characters. */
export function naturalCompare(a: string, b: string): number {
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c1 = a[i];
    const c2 = b[j];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1 ? -1 : 1;
    if (!d1) {
      if (c1 !== c2) return (c1 ?? '') < (c2 ?? '') ? -1 : 1;
      i++;
      j++;
      continue;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    const nz1 = i;
    const nz2 = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    if (i - nz1 !== j - nz2) return i - nz1 - (j - nz2);
    const n1 = a.slice(nz1, i);
    const n2 = b.slice(nz2, j);
    if (n1 !== n2) return n1 < n2 ? -1 : 1;
    // Equal numbers: fewer leading zeros first.
    if (nz1 !== nz2) return nz1 - nz2;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Go's time.Time.String() for UTC times: "2024-01-02 15:04:05.123 +0000 UTC". */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T15:04:05.123Z
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${date} ${time}${frac === '' ? '' : `.${frac}`} +0000 UTC`;
}

/** RFC 3339 with fractional seconds as Go's time.Time marshals to JSON ("2024-01-02T15:04:05.123Z"). */
export function goTimeJson(ms: number): string {
  const iso = new Date(ms).toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac === '' ? '' : `.${frac}`}Z`;
}
