/**
 * `@sdr/agent/testing`: a scripted model on the AI SDK's mock, for tests of hosts of the agent.
 * @packageDocumentation
 */
export { createScriptedModel, type ScriptStep } from './scripted-model.js';
