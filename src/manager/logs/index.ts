// `service logs`: the leader's broker between CLI subscribers and the nodes that ran the tasks.
export { LogBroker, type LogBrokerStore, type LogSink } from './broker.js';
export { logsHandlers } from './service.js';
