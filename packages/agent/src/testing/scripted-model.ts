/**
 * A scripted model for tests of an agent, on the AI SDK's own mock (`ai/test`): each model call
 * takes the next step of the script — a text, tool calls, an error, or a hang until the call is
 * aborted (a model that times out). The calls are kept (`doStreamCalls`) to assert what the
 * model was shown.
 */
import type { LanguageModelV3CallOptions, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';

/** One model call of a script. */
export type ScriptStep =
  | { readonly text: string }
  | { readonly toolCalls: readonly { readonly toolName: string; readonly input: unknown; readonly rawInput?: string }[] }
  | { readonly error: Error }
  | { readonly hang: true }
  | ((options: LanguageModelV3CallOptions) => ScriptStep);

const usage: LanguageModelV3Usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function partsOf(
  step: Exclude<ScriptStep, ((options: LanguageModelV3CallOptions) => ScriptStep) | { readonly hang: true } | { readonly error: Error }>,
  call: number,
): LanguageModelV3StreamPart[] {
  if ('text' in step) {
    return [
      { type: 'stream-start', warnings: [] },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: step.text },
      { type: 'text-end', id: 't' },
      { type: 'finish', usage, finishReason: { unified: 'stop', raw: 'stop' } },
    ];
  }
  return [
    { type: 'stream-start', warnings: [] },
    ...step.toolCalls.map(
      (toolCall, index): LanguageModelV3StreamPart => ({
        type: 'tool-call',
        toolCallId: `call-${String(call)}-${String(index)}`,
        toolName: toolCall.toolName,
        input: toolCall.rawInput ?? JSON.stringify(toolCall.input),
      }),
    ),
    { type: 'finish', usage, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
  ];
}

/** A `MockLanguageModelV3` that plays `steps` in order; past the end it answers "ok". */
export function createScriptedModel(steps: readonly ScriptStep[]): MockLanguageModelV3 {
  let call = 0;
  return new MockLanguageModelV3({
    provider: 'scripted',
    modelId: 'scripted',
    doStream: (options) => {
      let step: ScriptStep = steps[call] ?? { text: 'ok' };
      call += 1;
      while (typeof step === 'function') step = step(options);
      if ('error' in step) return Promise.reject(step.error);
      if ('hang' in step) {
        const signal = options.abortSignal;
        return new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          });
        });
      }
      const parts = partsOf(step, call);
      return Promise.resolve({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      });
    },
  });
}
