// The worker agent: runs this node's tasks on its Docker Engine.
export { connectEngine, describeEngine, type Engine, type EngineSummary } from './engine.js';
