import type { Config, Secret } from '../../gen/index.js';
import { capitalize, goTimeString } from './human.js';

function labelLines(labels: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? [] : ['Labels:', ...entries.map(([k, v]) => ` - ${k}${v === '' ? '' : `=${v}`}`)];
}

/** `secret inspect --pretty`, line by line as Docker's template prints it (never the data). */
export function formatSecretPretty(secret: Secret): string[] {
  return [
    `ID:              ${secret.id}`,
    `Name:              ${secret.spec?.annotations?.name ?? ''}`,
    ...labelLines(secret.spec?.annotations?.labels),
    `Driver:            ${secret.spec?.driver?.name ?? ''}`,
    `Created at:        ${capitalize(goTimeString(secret.meta?.createdAtMs ?? 0))}`,
    `Updated at:        ${capitalize(goTimeString(secret.meta?.updatedAtMs ?? 0))}`,
  ];
}

/** `config inspect --pretty`, line by line as Docker's template prints it, data as text. */
export function formatConfigPretty(config: Config): string[] {
  const data = new TextDecoder().decode(config.spec?.data ?? new Uint8Array());
  return [
    `ID:\t\t\t${config.id}`,
    `Name:\t\t\t${config.spec?.annotations?.name ?? ''}`,
    ...labelLines(config.spec?.annotations?.labels),
    `Created at:            \t${capitalize(goTimeString(config.meta?.createdAtMs ?? 0))}`,
    `Updated at:            \t${capitalize(goTimeString(config.meta?.updatedAtMs ?? 0))}`,
    'Data:',
    ...data.split('\n'),
  ];
}
