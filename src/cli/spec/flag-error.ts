import { usageError, type CliError } from '../errors.js';

/**
 * Docker's (pflag's) wording for a bad flag value, followed by how to fix it:
 * `invalid argument "-1" for "--replicas" flag: must be a whole number >= 0`.
 */
export function invalidFlag(flag: string, value: string, fix: string): CliError {
  return usageError(`invalid argument ${JSON.stringify(value)} for "--${flag}" flag: ${fix}`);
}
