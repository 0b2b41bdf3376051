/**
 * One phone call as a conversation (the `VoiceTurns` a relay or media session drives): the lead
 * found or created by the caller's number, every utterance and every reply recorded on channel
 * `voice`, each reply a streamed turn of the same agent with the same tools, and a summary note
 * for the CRM when the call ends.
 *
 * What the transcript keeps of a reply is what the caller heard: a reply is held until the next
 * utterance, an interruption or the end of the call, and an interruption cuts it to the words
 * spoken before the caller cut in (`interrupted(heard)`). Logs carry ids only: the caller's
 * number is masked, no words are logged.
 */
import {
  appendCrmNoteEntry,
  formatLocal,
  maskPhone,
  type Appointment,
  type Clock,
  type Lead,
  type Logger,
  type Message,
  type Store,
  type Tenant,
} from '@sdr/core';
import {
  fallbackReply,
  streamVoiceTurn,
  VoiceTurnFailure,
  type AgentServices,
  type AgentSettings,
  type LanguageModelV3,
  type TurnToolState,
} from '@sdr/agent';
import type { VoiceTurns } from '@sdr/adapter-twilio-voice';

/** What a call runs on. */
export interface VoiceCallDeps {
  readonly store: Store;
  readonly services: AgentServices;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly modelFor: (tenantId: string) => LanguageModelV3 | Promise<LanguageModelV3>;
  readonly settingsFor: (tenantId: string) => AgentSettings | Promise<AgentSettings>;
  /** Messages of the conversation given to the model (default 20). */
  readonly lastMessages?: number;
}

/** The call being opened. */
export interface VoiceCallInput {
  readonly tenant: Tenant;
  /** The caller's number as Twilio gives it (`From`). */
  readonly from: string;
  readonly callSid: string;
}

/** A call's conversation, plus what the tests and the summary read. */
export interface VoiceCall extends VoiceTurns {
  readonly lead: Lead;
  /** The tools' state shared by the call's turns (offered slots, the meeting booked). */
  readonly state: TurnToolState;
}

const english = (locale: string) => locale.toLowerCase().startsWith('en');

/** The first words of a call, in the persona's language. */
export function voiceGreeting(settings: AgentSettings, tenant: Tenant): string {
  const company = settings.company ?? tenant.name;
  return english(settings.language ?? tenant.locale)
    ? `Hello! This is ${settings.name} from ${company}. How can I help you?`
    : `Olá! Aqui é ${settings.name}, da ${company}. Como posso ajudar?`;
}

/** Opens the call: finds or creates the lead of `from`. */
export async function openVoiceCall(deps: VoiceCallDeps, input: VoiceCallInput): Promise<VoiceCall> {
  const { tenant, callSid } = input;
  const { conversation } = deps.services;
  const found = await conversation.findOrCreateLead({ tenant, from: input.from });
  const lead = found.lead;
  const settings = await deps.settingsFor(tenant.id);
  const startedAt = deps.clock.now();
  const log = { tenantId: tenant.id, leadId: lead.id, callSid, caller: maskPhone(input.from) };
  deps.logger.info({ ...log, leadCreated: found.created }, 'voice call started');

  const state: TurnToolState = { offered: [], appointment: null, handedOff: false, optedOut: false, calls: [] };
  const scheduled = await deps.store.appointments.listByLead(tenant.id, lead.id, { statuses: ['scheduled'] });
  state.appointment = scheduled.find((appointment) => appointment.start.getTime() > startedAt.getTime()) ?? null;

  const lastMessages = deps.lastMessages ?? 20;
  // The conversation as the model reads it: what was stored before the call, then the call itself.
  const history: Pick<Message, 'direction' | 'body'>[] = (
    await deps.store.messages.listByLead(tenant.id, lead.id, { limit: lastMessages })
  ).map((message) => ({ direction: message.direction, body: message.body }));
  let utterances = 0;
  let replies = 0;
  let digits = '';
  let pending: string | null = null;
  let handoff: { reason: string } | undefined;
  let ended: Promise<void> | null = null;

  const recordOutbound = async (body: string) => {
    if (body.trim() === '') return;
    replies += 1;
    await conversation.recordOutbound({
      tenant,
      leadId: lead.id,
      body,
      channel: 'voice',
      providerMessageId: `${callSid}:agent:${replies}`,
    });
  };
  // Writes of the transcript, one after the other (a failed one is logged; the next ones go on).
  let writes: Promise<void> = Promise.resolve();
  const write = (task: () => Promise<void>): Promise<void> => {
    writes = writes.then(task).catch((error: unknown) => {
      deps.logger.error(
        { ...log, error: error instanceof Error ? error.message.slice(0, 300) : 'failed' },
        'voice transcript write failed',
      );
    });
    return writes;
  };
  const handOff = async (reason: string) => {
    if (handoff !== undefined) return;
    if (!state.handedOff) await deps.services.handoff.requestHandoff({ tenant, leadId: lead.id, reason, requestedBy: 'agent' });
    state.handedOff = true;
    handoff = { reason };
  };

  const call: VoiceCall = {
    lead,
    state,
    get handoff() {
      return handoff;
    },
    async greeting() {
      const text = voiceGreeting(settings, tenant);
      history.push({ direction: 'outbound', body: text });
      await write(() => recordOutbound(text));
      return text;
    },
    async *reply(utterance, signal) {
      const heard = pending;
      pending = null;
      const keyed = digits === '' ? utterance : `${utterance} [keypad: ${digits}]`;
      digits = '';
      utterances += 1;
      const number = utterances;
      // The model reads the call from memory; the transcript is written behind it, in order.
      if (heard !== null && heard.trim() !== '') history.push({ direction: 'outbound', body: heard });
      history.push({ direction: 'inbound', body: keyed });
      void write(async () => {
        if (heard !== null) await recordOutbound(heard);
        await conversation.recordInbound({
          tenant,
          from: lead.phone.e164,
          channel: 'voice',
          providerMessageId: `${callSid}:caller:${number}`,
          body: keyed,
        });
      });
      const [current, model] = await Promise.all([deps.store.leads.get(tenant.id, lead.id), deps.modelFor(tenant.id)]);
      let said = '';
      try {
        for await (const chunk of streamVoiceTurn({
          services: deps.services,
          clock: deps.clock,
          model,
          settings,
          tenant,
          lead: current ?? lead,
          history: history.slice(-lastMessages),
          state,
          appointment: state.appointment,
          signal,
        })) {
          said += chunk;
          // Held until the caller speaks again, interrupts or hangs up (see the module comment).
          pending = said;
          yield chunk;
        }
      } catch (error) {
        if (!(error instanceof VoiceTurnFailure)) throw error;
        deps.logger.warn({ ...log, error: error.message }, 'voice turn failed: handing the call to a person');
        const fallback = fallbackReply(settings.language ?? tenant.locale);
        await handOff(`The phone assistant could not answer (${error.message}); please call the lead back.`);
        pending = fallback;
        yield fallback;
        return;
      }
      // The agent called handoff_to_human (the handoff and its note are recorded): the call follows.
      if (state.handedOff && handoff === undefined) await handOff('the assistant handed the call to a person');
    },
    interrupted(heard) {
      // Only the words spoken before the caller cut in stay in the transcript.
      if (pending !== null) pending = heard.trim() === '' ? null : heard.trim();
      return Promise.resolve();
    },
    async dtmf(digit) {
      if (!/^[0-9*#]$/.test(digit)) return;
      // 0 asks for a person, as on most phone menus; other digits go to the model with the next words.
      if (digit === '0') await handOff('the caller pressed 0 for a person');
      else digits += digit;
    },
    end() {
      ended ??= (async () => {
        const heard = pending;
        pending = null;
        await write(async () => {
          if (heard !== null) await recordOutbound(heard);
        });
        const text = callSummary({
          tenant,
          startedAt,
          endedAt: deps.clock.now(),
          utterances,
          replies,
          appointment: state.appointment,
          handoff,
        });
        await deps.store.transaction((tx) =>
          appendCrmNoteEntry(tx, { tenantId: tenant.id, leadId: lead.id, note: { key: `voice-call:${callSid}`, text } }),
        );
        deps.logger.info({ ...log, utterances, replies, handedOff: handoff !== undefined }, 'voice call ended');
      })();
      return ended;
    },
  };
  return call;
}

/** The CRM note of a call: when (in the tenant's zone), how long, what came of it. No phone numbers. */
export function callSummary(input: {
  readonly tenant: Tenant;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly utterances: number;
  readonly replies: number;
  readonly appointment: Appointment | null;
  readonly handoff: { readonly reason: string } | undefined;
}): string {
  const { tenant } = input;
  const en = english(tenant.locale);
  const at = formatLocal(input.startedAt, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' });
  const seconds = Math.max(0, Math.round((input.endedAt.getTime() - input.startedAt.getTime()) / 1000));
  const meeting =
    input.appointment === null
      ? null
      : formatLocal(input.appointment.start, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' });
  const lines = en
    ? [
        `Phone call on ${at} (${tenant.timeZone}), ${seconds} s: ${input.utterances} caller turn(s), ${input.replies} agent turn(s).`,
        meeting === null ? 'No meeting scheduled.' : `Meeting: ${meeting}.`,
        input.handoff === undefined ? 'Handled by the assistant.' : `Handed to a person: ${input.handoff.reason}.`,
      ]
    : [
        `Ligação em ${at} (${tenant.timeZone}), ${seconds} s: ${input.utterances} fala(s) do lead, ${input.replies} resposta(s) do agente.`,
        meeting === null ? 'Nenhuma reunião agendada.' : `Reunião: ${meeting}.`,
        input.handoff === undefined ? 'Atendida pelo assistente.' : `Transferida para uma pessoa: ${input.handoff.reason}.`,
      ];
  return lines.join('\n');
}
