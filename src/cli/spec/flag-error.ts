import { usageError, type CliError } from '../errors.js';

/** Escapes control characters so a message echoing user input stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * Docker's (pflag's) wording for a bad flag value, followed by how to fix it:
 * `invalid argument "-1" for "--replicas" flag: must be a whole number >= 0`.
 */
export function invalidFlag(flag: string, value: string, fix: string): CliError {
  return usageError(`invalid argument ${JSON.stringify(value)} for "--${flag}" flag: ${oneLine(fix)}`);
}
