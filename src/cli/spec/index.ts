// Flags to specs: the pure parsers behind service create/update/scale, node update, network create, secret/config create and -f filters.
export { buildServiceSpec, parseServiceMode, type CreateInput } from './create.js';
export { applyServiceUpdate, changesSpec, type UpdateInput } from './update.js';
export { parseScaleArgs, scaleSpec, scaledLine, type ScaleRequest } from './scale.js';
export type { ServiceFlags } from './service-flags.js';
export type { Environ, ReadTextFile } from './kv.js';
export { generateName, type RandomInt } from '../../common/generated-names.js';
export { parseGoDurationMs, formatGoDuration } from './duration.js';
export { parseRamBytes } from './bytes.js';
export { parsePublish } from './port.js';
export { parseMount } from './mount.js';
export { parseFileRef } from './file-ref.js';
export { DEFAULT_UPDATE_CONFIG, DEFAULT_RESTART_DELAY_MS, DEFAULT_STOP_GRACE_PERIOD_MS } from './scalar-flags.js';
export { buildNetworkSpec, type NetworkCreateFlags } from './network.js';
export { applyNodeUpdate, roleChange, type NodeUpdateFlags } from './node.js';
export { buildSecretSpec, buildConfigSpec, MAX_SECRET_BYTES, MAX_CONFIG_BYTES, type DataObjectFlags } from './data-object.js';
export { parseFilterFlags, serviceMatches, taskMatches, nodeMatches, networkMatches, secretMatches, configMatches, ACCEPTED_FILTERS, type Filters } from './filters.js';
