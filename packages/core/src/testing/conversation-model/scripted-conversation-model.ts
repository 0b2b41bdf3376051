/**
 * `createScriptedConversationModel`: a `ConversationModel` that answers from a script, in
 * order — for tests of the agent loop that must not depend on a real language model.
 */
import { SdrError } from '../../errors/index.js';
import type { ConversationAction, ConversationModel } from '../../ports/conversation-model/conversation-model.js';
import { settle } from '../../internal/settle.js';

/** What the model proposes for one turn. */
export interface ScriptedReply {
  readonly text: string | null;
  readonly actions?: readonly ConversationAction[];
}

/** What `ConversationModel.reply` receives. */
export type ConversationModelInput = Parameters<ConversationModel['reply']>[0];

/**
 * One step of the script: a reply, a bare text (no actions), or a function of the input
 * (to echo the lead's name, assert on the conversation, or throw an error on purpose).
 */
export type ScriptedStep = ScriptedReply | string | ((input: ConversationModelInput) => ScriptedReply | string);

/** The scripted model, plus inspection for tests. */
export interface ScriptedConversationModel extends ConversationModel {
  /** Every input `reply` received, in order. */
  readonly calls: readonly ConversationModelInput[];
  /** Steps of the script not used yet. */
  readonly remaining: number;
}

/** Creates a model that answers call N with step N of `replies`, and throws an `SdrError` past the end. */
export function createScriptedConversationModel(replies: readonly ScriptedStep[]): ScriptedConversationModel {
  const script = [...replies];
  const calls: ConversationModelInput[] = [];

  return {
    contractVersion: 'v1',
    provider: 'scripted',
    get calls() {
      return [...calls];
    },
    get remaining() {
      return script.length - calls.length;
    },
    reply: (input) =>
      settle(() => {
        calls.push(input);
        const step = script[calls.length - 1];
        if (step === undefined) {
          throw new SdrError(
            `the scripted conversation model has no reply for call ${calls.length}: its script has ${script.length} step(s); add more replies to the test`,
          );
        }
        const reply = typeof step === 'function' ? step(input) : step;
        return typeof reply === 'string' ? { text: reply, actions: [] } : { text: reply.text, actions: [...(reply.actions ?? [])] };
      }),
  };
}
