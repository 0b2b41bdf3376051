/**
 * The `model` integration: any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, OpenRouter)
 * through the AI SDK (`PUT /v1/integrations/model` with `{ "provider": "openai-compatible",
 * "config": { … } }`). The port of the `model` kind is the AI SDK's own `LanguageModelV3`, as
 * is: the agent calls it through `streamText`, tests replace it with `ai/test`'s mock.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { definePlugin, secret, type PluginDeps } from '@sdr/core';
import { defaultSettingsMiddleware, wrapLanguageModel } from 'ai';
import { z } from 'zod';

declare module '@sdr/core' {
  interface PluginPortMap {
    /** The AI SDK's language model interface (see `@sdr/agent`). */
    model: LanguageModelV3;
  }
}

/** Configuration of an OpenAI-compatible model. */
export const openAiCompatibleConfigSchema = z.strictObject({
  /** Base URL of the API, up to and including `/v1` (`https://api.openai.com/v1`, `http://localhost:11434/v1`). */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .describe('Base URL of the OpenAI-compatible API, ending in /v1'),
  /** Bearer key; local servers (Ollama, vLLM) usually need none. */
  apiKey: secret(z.string().min(1).max(500).optional().describe('API key, sent as a bearer token')),
  /** The model name the endpoint knows (`gpt-4o-mini`, `qwen2.5:7b`). */
  model: z.string().trim().min(1).max(200).describe('Model name, e.g. gpt-4o-mini or qwen2.5:7b'),
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature, 0–2'),
  maxOutputTokens: z.number().int().min(16).max(32_768).optional().describe('Upper bound of tokens per model reply'),
});

/** Parsed OpenAI-compatible configuration. */
export type OpenAiCompatibleConfig = z.output<typeof openAiCompatibleConfigSchema>;

/**
 * Builds the model of a configuration. `temperature` and `maxOutputTokens` become the model's
 * default call settings (the AI SDK's `defaultSettingsMiddleware`), so every caller gets them.
 */
export function createOpenAiCompatibleModel(
  config: OpenAiCompatibleConfig,
  options: { readonly fetch?: typeof globalThis.fetch } = {},
): LanguageModelV3 {
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: config.baseUrl.replace(/\/+$/, ''),
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const model = provider.chatModel(config.model);
  if (config.temperature === undefined && config.maxOutputTokens === undefined) return model;
  return wrapLanguageModel({
    model,
    middleware: defaultSettingsMiddleware({
      settings: {
        ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
        ...(config.maxOutputTokens === undefined ? {} : { maxOutputTokens: config.maxOutputTokens }),
      },
    }),
  });
}

/** The `model` plugin of provider `openai-compatible`. */
export const openAiCompatibleModelPlugin = definePlugin({
  contractVersion: 'v1',
  kind: 'model',
  provider: 'openai-compatible',
  displayName: 'OpenAI-compatible model',
  configSchema: openAiCompatibleConfigSchema,
  create(config: OpenAiCompatibleConfig, deps: PluginDeps): LanguageModelV3 {
    return createOpenAiCompatibleModel(config, deps.fetch === undefined ? {} : { fetch: deps.fetch });
  },
});
