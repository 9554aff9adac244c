// Flags to service specs: pure parsers behind `service create`, `update` and `scale`.
export { buildServiceSpec, parseServiceMode, type CreateInput } from './create.js';
export { applyServiceUpdate, changesSpec, type UpdateInput } from './update.js';
export { parseScaleArgs, scaleSpec, scaledLine, type ScaleRequest } from './scale.js';
export type { ServiceFlags } from './service-flags.js';
export type { Environ, ReadTextFile } from './kv.js';
export { generateName, type RandomInt } from './names.js';
export { parseGoDurationMs, formatGoDuration } from './duration.js';
export { parseRamBytes } from './bytes.js';
export { parsePublish } from './port.js';
export { parseMount } from './mount.js';
export { parseFileRef } from './file-ref.js';
export { DEFAULT_UPDATE_CONFIG, DEFAULT_RESTART_DELAY_MS, DEFAULT_STOP_GRACE_PERIOD_MS } from './scalar-flags.js';
