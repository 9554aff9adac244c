// Helpers locate the checkout they belong to (bin/shoal.js, dist/) from their own path.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of this checkout (two levels above test/support). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CLI entry of this checkout; the daemons and `run()` use it (build first: `npm run build`). */
export const SHOAL_BIN = join(PROJECT_ROOT, 'bin', 'shoal.js');
