/**
 * `@sdr/agent`: the built-in SDR agent — the turn loop that answers a lead, the tools it acts
 * through (bound to the core services), the persona's system prompt, the `model` plugins
 * (OpenAI-compatible endpoints through the AI SDK, and the offline demo model).
 * @packageDocumentation
 */
export * from './agent-settings.js';
export * from './system-prompt.js';
export * from './model-plugin.js';
export * from './sandbox-model.js';
export * from './tool-support.js';
export * from './agent-tools.js';
export * from './turn-store.js';
export * from './run-turn.js';
export * from './agent.js';
/** The model port of the agent: the AI SDK's language model interface, as is. */
export type { LanguageModelV3 } from '@ai-sdk/provider';
export * from './voice-turn.js';
