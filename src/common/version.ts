import { readFileSync } from 'node:fs';

/** The API version of the Control/Daemon protocols; bumped on breaking wire changes. */
export const API_VERSION = '1.0';

/** shoal's version, from package.json (both src/ and dist/ sit two levels below it). */
export const SHOAL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
