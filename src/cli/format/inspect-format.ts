import { inspectJson } from './go-json.js';
import { parseGoTemplate } from './template.js';

/**
 * What `inspect` prints for `-f/--format`, as Docker's inspector: the
 * indented JSON array by default, one compact JSON array for `json`, else
 * the Go template once per object (its output plus a newline). Takes the
 * Docker-shaped objects (serviceInspectJson and friends); returns lines.
 */
export function formatInspect(objects: readonly unknown[], format?: string): string[] {
  if (format === undefined || format === '') return inspectJson(objects).split('\n');
  if (format === 'json') return [JSON.stringify(objects)];
  const template = parseGoTemplate(format);
  return objects.flatMap((o) => template.execute(o).split('\n'));
}
