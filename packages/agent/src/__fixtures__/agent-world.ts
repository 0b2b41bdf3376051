/**
 * A São Paulo tenant (Mon–Fri 09:00–12:00 and 13:00–18:00, "meeting_scheduled" mapped to the
 * CRM's "Reunião agendada") on the in-memory doubles and a virtual clock set to Monday
 * 2026-03-02 08:00 local time, with the core services wired as the server wires them, and an
 * agent whose model each test gives.
 */
import { randomUUID } from 'node:crypto';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import {
  BookingService,
  VirtualClock,
  createConversationService,
  createDomainEvents,
  createFollowUpService,
  createHandoffService,
  tenantSchema,
  type Tenant,
} from '@sdr/core';
import { createInMemoryCalendar, createInMemoryLock, createInMemoryMessaging, createInMemoryStore } from '@sdr/core/testing';
import { createAgent, type AgentOptions } from '../agent.js';
import { agentSettingsSchema, type AgentSettingsInput } from '../agent-settings.js';
import { createInMemoryTurnStore } from '../turn-store.js';

/** Monday 2026-03-02 08:00 in São Paulo (UTC−3). */
export const mondayMorning = new Date('2026-03-02T11:00:00.000Z');

/** The demo persona of the tests. */
export const testPersona: AgentSettingsInput = {
  name: 'Ana',
  company: 'Acme',
  questions: [
    { field: 'team_size', question: 'Quantas pessoas tem a sua equipe de vendas?' },
    { field: 'crm', question: 'Qual CRM vocês usam hoje?' },
  ],
};

/** Builds the world; `model` answers every turn. */
export async function createAgentWorld(input: {
  readonly model: LanguageModelV3;
  readonly persona?: AgentSettingsInput;
  readonly agent?: Partial<AgentOptions>;
}) {
  const clock = new VirtualClock(mondayMorning);
  const store = createInMemoryStore({ clock });
  const calendar = createInMemoryCalendar({ clock });
  const lock = createInMemoryLock({ clock });
  const messaging = createInMemoryMessaging({ clock });
  const events = createDomainEvents();
  const followUp = createFollowUpService({ store, clock, events });
  const booking = new BookingService({ store, calendar, lock, clock, observers: [followUp], events });
  const conversation = createConversationService({ store, clock, followUp, events });
  const handoff = createHandoffService({ store, clock, followUp, events });
  const tenant: Tenant = await store.tenants.create(
    tenantSchema.parse({
      id: randomUUID(),
      name: 'Acme Ltda',
      timeZone: 'America/Sao_Paulo',
      locale: 'pt-BR',
      businessHours: {
        mon: [
          ['09:00', '12:00'],
          ['13:00', '18:00'],
        ],
        tue: [
          ['09:00', '12:00'],
          ['13:00', '18:00'],
        ],
        wed: [['09:00', '18:00']],
        thu: [['09:00', '18:00']],
        fri: [['09:00', '18:00']],
      },
      stageMapping: {
        meeting_scheduled: { pipelineId: '1', statusId: 'Reunião agendada' },
        human_handoff: { pipelineId: '1', statusId: 'Atendimento humano' },
      },
      createdAt: mondayMorning,
      updatedAt: mondayMorning,
      version: 0,
    }),
  );
  const turns = createInMemoryTurnStore();
  const settings = agentSettingsSchema.parse(input.persona ?? testPersona);
  const agent = createAgent({
    store,
    services: { booking, conversation, handoff },
    messaging,
    lock,
    clock,
    turns,
    modelFor: () => input.model,
    settingsFor: () => settings,
    debounceMs: 0,
    timeoutMs: 5000,
    ...input.agent,
  });

  /** The lead writes `body` (recorded as the webhook would), and the agent is told. */
  const leadSays = async (body: string, phone = '+5511987654321') => {
    const result = await conversation.recordInbound({ tenant, from: phone, providerMessageId: randomUUID(), body });
    if (result.outcome !== 'recorded') throw new Error(`inbound not recorded: ${result.outcome}`);
    agent.notify({ tenantId: tenant.id, leadId: result.lead.id });
    return result.lead;
  };

  return {
    clock,
    store,
    calendar,
    lock,
    messaging,
    events,
    services: { booking, conversation, handoff, followUp },
    tenant,
    turns,
    agent,
    leadSays,
  };
}
