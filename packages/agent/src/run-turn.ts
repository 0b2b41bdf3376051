/**
 * One turn of the agent for one lead: decide whether to answer at all, build the context, run
 * the model with the lead's tools (bounded steps, a timeout, one retry), send the reply through
 * the channel as the agent's outbound message (idempotency key per turn), and record the turn.
 * A model that fails twice hands the lead to a person with a note, and the lead is told so —
 * never silence. Logs carry ids, outcomes and tool names only: no text, no phone.
 */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import {
  isUnderAutomation,
  maskPersonalData,
  type Appointment,
  type Clock,
  type Lead,
  type Logger,
  type Message,
  type MessagingPort,
  type Store,
  type Tenant,
} from '@sdr/core';
import { stepCountIs, streamText, type ModelMessage } from 'ai';
import type { AgentSettings } from './agent-settings.js';
import { createAgentTools, type AgentServices, type TurnToolState } from './agent-tools.js';
import { buildSystemPrompt } from './system-prompt.js';
import type { AgentTurnRecord, AgentTurnStore, TurnOutcome } from './turn-store.js';

/** What a turn runs on. */
export interface TurnDeps {
  readonly store: Store;
  readonly services: AgentServices;
  /** The tenant's channel. */
  readonly messagingFor: (tenantId: string) => MessagingPort;
  readonly turns: AgentTurnStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly newId: () => string;
  /** The tenant's model (the AI SDK's interface). */
  readonly modelFor: (tenantId: string) => LanguageModelV3 | Promise<LanguageModelV3>;
  /** The tenant's persona. */
  readonly settingsFor: (tenantId: string) => AgentSettings | Promise<AgentSettings>;
  /** Model steps per attempt (tool round trips included). */
  readonly maxSteps: number;
  /** Time allowed to one model attempt, tools included, in ms. */
  readonly timeoutMs: number;
  /** Messages of the conversation given to the model. */
  readonly lastMessages: number;
}

/** A turn's failure of the model (error, timeout, or no reply at all). */
class ModelFailure extends Error {}

/** What the lead is told when the model failed twice and a person takes over. */
export function fallbackReply(locale: string): string {
  return locale.toLowerCase().startsWith('en')
    ? 'Thanks for your message! A person from our team will continue the conversation with you shortly.'
    : 'Obrigado pela mensagem! Uma pessoa da nossa equipe vai continuar o atendimento com você em breve.';
}

function skipReason(lead: Lead, settings: AgentSettings): string | null {
  if (!settings.enabled) return 'disabled';
  if (lead.optedOut) return 'opted_out';
  if (lead.stage === 'won' || lead.stage === 'lost') return `stage_${lead.stage}`;
  if (lead.automation === 'paused_handoff') return 'handed_off';
  if (!isUnderAutomation(lead)) return 'stopped';
  return null;
}

/** The conversation as the model reads it: the lead's messages as `user`, ours as `assistant`. */
export function toModelMessages(messages: readonly Pick<Message, 'direction' | 'body'>[]): ModelMessage[] {
  return messages.map((message) => {
    const content = message.body.trim() === '' ? '[media]' : message.body;
    return message.direction === 'inbound' ? { role: 'user', content } : { role: 'assistant', content };
  });
}

/**
 * The newest inbound message not answered yet, or `null`. Messages after `answeredThrough` (the
 * newest inbound a reply answered) are unanswered — also those that arrived while the previous
 * turn ran, before its reply; without a record, inbound messages after our last message are.
 */
function unanswered(history: readonly Message[], answeredThrough: string | null): Message | null {
  const answeredAt = answeredThrough === null ? -1 : history.findIndex((message) => message.id === answeredThrough);
  const from = answeredAt >= 0 ? answeredAt + 1 : history.findLastIndex((message) => message.direction === 'outbound') + 1;
  return history.slice(from).findLast((message) => message.direction === 'inbound') ?? null;
}

async function upcomingAppointment(deps: TurnDeps, tenant: Tenant, leadId: string): Promise<Appointment | null> {
  const now = deps.clock.now().getTime();
  const scheduled = await deps.store.appointments.listByLead(tenant.id, leadId, { statuses: ['scheduled'] });
  return scheduled.find((appointment) => appointment.start.getTime() > now) ?? null;
}

/** Runs the model once with the turn's tools; throws `ModelFailure` on error, timeout or empty reply. */
async function attempt(
  deps: TurnDeps,
  input: {
    model: LanguageModelV3;
    system: string;
    messages: ModelMessage[];
    tools: ReturnType<typeof createAgentTools>;
    state: TurnToolState;
  },
): Promise<{ text: string; steps: number; modelMs: number }> {
  // A timer cleared when the attempt ends, unlike `AbortSignal.timeout`, whose timer (and the
  // signal, with the listeners the SDK left on it) lives on for the whole timeout after every turn.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('The model attempt timed out', 'TimeoutError')), deps.timeoutMs);
  timer.unref();
  const { signal } = timeout;
  let modelMs = 0;
  let callStarted = performance.now();
  // The reply and the step count are taken as the steps finish, not from `result.text` and
  // `result.steps`: each of those reads the whole stream again through one more copy of it.
  let steps = 0;
  let text = '';
  const result = streamText({
    model: input.model,
    system: input.system,
    messages: input.messages,
    tools: input.tools,
    stopWhen: stepCountIs(deps.maxSteps),
    abortSignal: signal,
    maxRetries: 0,
    // Errors are read from the stream below (and retried once); the SDK's default prints them.
    onError: () => undefined,
    prepareStep: () => {
      callStarted = performance.now();
      return undefined;
    },
    onStepFinish: (step) => {
      modelMs += performance.now() - callStarted;
      steps += 1;
      text = step.text;
    },
  });
  try {
    for await (const part of result.fullStream) {
      if (part.type === 'error') throw new ModelFailure(describe(part.error));
      if (part.type === 'abort') throw new ModelFailure('timed out');
    }
    const reply = text.trim();
    if (reply === '' && !input.state.handedOff && !input.state.optedOut) throw new ModelFailure('the model gave no reply');
    return { text: reply, steps, modelMs };
  } catch (error) {
    if (error instanceof ModelFailure) throw error;
    throw new ModelFailure(signal.aborted ? 'timed out' : describe(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Like `Promise.all`, but settles only when every promise has: a failure is thrown once nothing of
 * the turn runs on (the caller's lock is released after it).
 */
async function settleAll<const T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

function describe(error: unknown): string {
  return maskPersonalData(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);
}

/** Runs one turn for a lead (the caller holds the lead's lock) and records it. */
export async function runTurn(deps: TurnDeps, target: { readonly tenantId: string; readonly leadId: string }): Promise<AgentTurnRecord> {
  const startedAt = deps.clock.now();
  const started = performance.now();
  const turnId = deps.newId();
  const { tenantId, leadId } = target;
  let attempts = 0;
  let steps = 0;
  let modelMs = 0;
  const state: TurnToolState = { offered: [], appointment: null, handedOff: false, optedOut: false, calls: [] };

  const finish = async (outcome: TurnOutcome, reason: string | null, replyMessageId: string | null): Promise<AgentTurnRecord> => {
    const record: AgentTurnRecord = {
      id: turnId,
      tenantId,
      leadId,
      startedAt,
      finishedAt: deps.clock.now(),
      outcome,
      reason,
      attempts,
      steps,
      toolCalls: state.calls,
      replyMessageId,
      modelMs: Math.round(modelMs * 1000) / 1000,
      totalMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    await deps.turns.recordTurn(record);
    deps.logger.info(
      {
        tenantId,
        leadId,
        turnId,
        outcome,
        reason,
        attempts,
        steps,
        tools: state.calls.map((call) => `${call.tool}:${call.ok ? 'ok' : (call.code ?? 'error')}`),
      },
      'agent turn finished',
    );
    return record;
  };

  // Reads that do not depend on one another go out together: first what decides whether to
  // answer at all, then the context of a turn that answers.
  const [tenant, lead, settings] = await settleAll([
    deps.store.tenants.get(tenantId),
    deps.store.leads.get(tenantId, leadId),
    deps.settingsFor(tenantId),
  ]);
  if (tenant === null || lead === null) return finish('skipped', 'not_found', null);
  const skip = skipReason(lead, settings);
  if (skip !== null) return finish('skipped', skip, null);

  const [history, leadState, appointment] = await settleAll([
    deps.store.messages.listByLead(tenantId, leadId, { limit: deps.lastMessages }),
    deps.turns.leadState(tenantId, leadId),
    upcomingAppointment(deps, tenant, leadId),
  ]);
  const newest = unanswered(history, leadState.answeredThrough);
  if (newest === null) return finish('skipped', 'nothing_to_answer', null);

  state.appointment = appointment;
  state.offered = [...leadState.offeredSlots];
  const system = buildSystemPrompt({
    settings,
    tenant,
    lead,
    now: deps.clock.now(),
    appointment: state.appointment,
    offeredSlots: state.offered.map((start) => ({ start })),
  });
  const model = await deps.modelFor(tenantId);
  const tools = createAgentTools({ services: deps.services, tenant, leadId, settings, clock: deps.clock, state });

  let reply: string | null = null;
  let failure: string | null = null;
  while (attempts < 2 && reply === null) {
    attempts += 1;
    try {
      const outcome = await attempt(deps, { model, system, messages: toModelMessages(history), tools, state });
      steps = outcome.steps;
      modelMs += outcome.modelMs;
      reply = outcome.text;
    } catch (error) {
      failure = error instanceof Error ? error.message : 'model failure';
      deps.logger.warn({ tenantId, leadId, turnId, attempt: attempts, error: failure }, 'agent model attempt failed');
    }
  }
  const handedOffByFailure = reply === null;
  // The lead's state is saved while the lead is read again (after the hand-off, when the model
  // failed): the answer goes out only if it has not opted out meanwhile.
  const [, current] = await settleAll([
    deps.turns.saveLeadState(tenantId, leadId, { offeredSlots: state.offered, answeredThrough: newest.id }),
    (async () => {
      if (handedOffByFailure) {
        await deps.services.handoff.requestHandoff({
          tenant,
          leadId,
          reason: `The automatic assistant could not answer (${failure ?? 'model failure'}); please take over the conversation.`,
          requestedBy: 'agent',
        });
      }
      return deps.store.leads.get(tenantId, leadId);
    })(),
  ]);
  if (handedOffByFailure) reply = fallbackReply(settings.language ?? tenant.locale);
  if (current === null || current.optedOut || state.optedOut) return finish('skipped', 'opted_out_during_turn', null);
  const text = reply === null || reply === '' ? fallbackReply(settings.language ?? tenant.locale) : reply;

  const messaging = deps.messagingFor(tenantId);
  const sent = await messaging.sendText({
    instance: tenant.messaging.instance,
    to: current.phone,
    text,
    idempotencyKey: `agent-turn-${turnId}`,
  });
  const recorded = await deps.services.conversation.recordOutbound({
    tenant,
    leadId,
    body: text,
    channel: messaging.channel,
    providerMessageId: sent.providerMessageId,
  });
  const outcome: TurnOutcome = handedOffByFailure || state.handedOff ? 'handed_off' : 'replied';
  return finish(outcome, handedOffByFailure ? failure : null, recorded.message.id);
}
