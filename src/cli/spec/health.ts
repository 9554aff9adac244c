import { codec, type HealthConfig } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { invalidFlag } from './flag-error.js';
import { durationFlagMs } from './duration.js';
import { intFlag } from './numbers.js';
import type { ServiceFlags } from './service-flags.js';

/**
 * The healthcheck the health flags ask for, or undefined when none is given.
 * `--health-cmd` becomes `["CMD-SHELL", cmd]`; `--no-healthcheck` becomes
 * `["NONE"]` and conflicts with every other health flag. Flags not given keep
 * the values of `current` (service update), as Docker does.
 */
export function parseHealthFlags(flags: ServiceFlags, current: HealthConfig | undefined): HealthConfig | undefined {
  const given = flags.healthCmd !== undefined || flags.healthInterval !== undefined || flags.healthTimeout !== undefined || flags.healthRetries !== undefined || flags.healthStartPeriod !== undefined;
  if (flags.healthcheck === false) {
    if (given) throw usageError('--no-healthcheck conflicts with --health-* options; use one or the other');
    return codec.HealthConfig.fromPartial({ test: ['NONE'] });
  }
  if (!given) return undefined;
  // Starting from a disabled check, the new flags describe a fresh one.
  const base = current !== undefined && current.test[0] !== 'NONE' ? { ...current, test: [...current.test] } : codec.HealthConfig.fromPartial({});
  if (flags.healthCmd !== undefined) base.test = flags.healthCmd === '' ? [] : ['CMD-SHELL', flags.healthCmd];
  if (flags.healthInterval !== undefined) base.intervalMs = durationFlagMs('health-interval', flags.healthInterval);
  if (flags.healthTimeout !== undefined) base.timeoutMs = durationFlagMs('health-timeout', flags.healthTimeout);
  if (flags.healthStartPeriod !== undefined) base.startPeriodMs = durationFlagMs('health-start-period', flags.healthStartPeriod);
  if (flags.healthRetries !== undefined) {
    const retries = intFlag('health-retries', flags.healthRetries);
    if (retries < 0) throw invalidFlag('health-retries', flags.healthRetries, 'must be a whole number >= 0');
    base.retries = retries;
  }
  return base;
}
