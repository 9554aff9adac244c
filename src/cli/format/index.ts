// Output exactly as Docker 28 prints it: list tables and JSON lines, inspect
// JSON, pretty inspect, and the convergence progress display. All pure.
export { renderTable, listFormat, type ListFormat } from './table.js';
export { goJsonMarshal, jsonLine, inspectJson } from './go-json.js';
export { humanDuration, humanAgo, truncateId, capitalize, ellipsis, bytesSize, displayImage, naturalCompare, goTimeString, goTimeJson } from './human.js';
export { formatServicePorts, formatTaskPorts } from './ports.js';
export { formatServiceList, serviceModeName, serviceReplicas } from './service-list.js';
export { formatTaskList, taskName, taskCurrentState, nodeDisplayName, nodeNamesById, type TaskListOptions } from './task-list.js';
export { formatNodeList, managerStatus } from './node-list.js';
export { formatNetworkList, formatSecretList, formatConfigList, formatStackList, summarizeStacks, joinLabels, type StackSummary } from './object-lists.js';
export { serviceInspectJson, serviceSpecJson, portJson } from './inspect-service.js';
export { nodeInspectJson, networkInspectJson, secretInspectJson, configInspectJson, VXLAN_OPTION } from './inspect-objects.js';
export { formatServicePretty, type ServicePrettyOptions } from './pretty-service.js';
export { formatNodePretty } from './pretty-node.js';
export { initialProgressState, progressStep, progressBar, progressInterruptedLines, upToDateTasks, type ProgressState, type ProgressInput, type ProgressStep } from './progress.js';
export { promotedLine, demotedLine, stackRemovingLine, stackCreatingLine, stackUpdatingLine, stackNothingFoundLine } from './messages.js';
export { formatInspect } from './inspect-format.js';
export { parseGoTemplate, type GoTemplate } from './template.js';
export { renderTemplateRows } from './list-template.js';
export type { TemplateFormat } from './table.js';
export { formatLogLine, type LogLine, type LogOptions } from './logs.js';
export { formatSecretPretty, formatConfigPretty } from './pretty-objects.js';
