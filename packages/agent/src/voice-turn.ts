/**
 * One phone turn of the agent: the same persona, system prompt and tools as a WhatsApp turn
 * (bookings go through `BookingService`, so the calendar event exists), with the reply streamed
 * as text deltas so that speech can start at the first words. Aborting the signal stops the
 * model; the stream then ends without an error. The caller records the conversation: this
 * function only talks to the model and, through the tools, to the services.
 */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { maskPersonalData, type Appointment, type Clock, type Lead, type Message, type Tenant } from '@sdr/core';
import { stepCountIs, streamText } from 'ai';
import type { AgentSettings } from './agent-settings.js';
import { createAgentTools, type AgentServices, type TurnToolState } from './agent-tools.js';
import { toModelMessages } from './run-turn.js';
import { buildSystemPrompt } from './system-prompt.js';

/** Rules added to the system prompt for a phone call. */
export const voiceRules = [
  '## Phone call',
  'You are speaking on a phone call: your words are read aloud by a speech synthesizer.',
  'Answer in one or two short spoken sentences; no lists, no markdown, no emojis, no links.',
  'Say dates and times as people say them, in the business time zone given under "Now".',
  'Offer at most two meeting times at once, and confirm the chosen one before booking it.',
].join('\n');

/** Everything one phone turn needs. */
export interface VoiceTurnInput {
  readonly services: AgentServices;
  readonly clock: Clock;
  readonly model: LanguageModelV3;
  readonly settings: AgentSettings;
  readonly tenant: Tenant;
  readonly lead: Lead;
  /** The conversation so far, oldest first, the caller's newest utterance last (stored or not yet). */
  readonly history: readonly Pick<Message, 'direction' | 'body'>[];
  /** Shared by the turns of one call (slots offered, the meeting, handoff), changed by the tools. */
  readonly state: TurnToolState;
  /** The lead's next scheduled meeting, if any (the prompt states it). */
  readonly appointment: Appointment | null;
  /** Aborted by a barge-in or a hang-up. */
  readonly signal: AbortSignal;
  /** Model steps (tool round trips included); default 6. */
  readonly maxSteps?: number;
}

/** The model failed (error or no words at all): the caller speaks a fallback and hands the call over. */
export class VoiceTurnFailure extends Error {
  override readonly name = 'VoiceTurnFailure';
}

/** The system prompt of a phone turn: the persona's, plus the phone rules. */
export function buildVoiceSystemPrompt(
  input: Pick<VoiceTurnInput, 'settings' | 'tenant' | 'lead' | 'clock' | 'state' | 'appointment'>,
): string {
  const base = buildSystemPrompt({
    settings: input.settings,
    tenant: input.tenant,
    lead: input.lead,
    now: input.clock.now(),
    appointment: input.appointment,
    offeredSlots: input.state.offered.map((start) => ({ start })),
  });
  return `${base}\n\n${voiceRules}`;
}

/**
 * The agent's reply to the newest utterance, as text deltas. Ends quietly when `signal` aborts;
 * throws `VoiceTurnFailure` when the model errs or says nothing (and did not hand off).
 */
export async function* streamVoiceTurn(input: VoiceTurnInput): AsyncGenerator<string, void, undefined> {
  const { state, signal } = input;
  // Read through a call: the signal changes while the stream runs.
  const aborted = () => signal.aborted;
  if (aborted()) return;
  const tools = createAgentTools({
    services: input.services,
    tenant: input.tenant,
    leadId: input.lead.id,
    settings: input.settings,
    clock: input.clock,
    state,
    slotsPerOffer: 2,
  });
  const result = streamText({
    model: input.model,
    system: buildVoiceSystemPrompt(input),
    messages: toModelMessages(input.history),
    tools,
    stopWhen: stepCountIs(input.maxSteps ?? 6),
    abortSignal: signal,
    maxRetries: 0,
    // Errors are read from the stream below; the SDK's default prints them.
    onError: () => undefined,
  });
  let said = false;
  try {
    for await (const part of result.fullStream) {
      if (aborted() || part.type === 'abort') return;
      if (part.type === 'error') throw new VoiceTurnFailure(describe(part.error));
      if (part.type === 'text-delta' && part.text !== '') {
        said = true;
        yield part.text;
      }
    }
  } catch (error) {
    if (aborted()) return;
    if (error instanceof VoiceTurnFailure) throw error;
    throw new VoiceTurnFailure(describe(error));
  }
  if (!said && !state.handedOff && !state.optedOut) throw new VoiceTurnFailure('the model gave no reply');
}

function describe(error: unknown): string {
  return maskPersonalData(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);
}
