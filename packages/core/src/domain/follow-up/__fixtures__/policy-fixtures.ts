/** Builders for the follow-up policy's tests: tenant configurations, lead states, pending rows. */
import { randomUUID } from 'node:crypto';
import type { AutomationState, Stage } from '../../model/lead.js';
import { parseOrThrow } from '../../model/parse.js';
import type { ScheduledKind } from '../../model/scheduled-message.js';
import { tenantConfigSchema, type TenantConfigInput } from '../../model/tenant.js';
import type { FollowUpAppointment, FollowUpCommand, FollowUpConfig, FollowUpLead, PendingFollowUp } from '../follow-up-types.js';

/** Mon–Fri 09:00–18:00. */
export const weekdaysNineToSix = {
  mon: [['09:00', '18:00']],
  tue: [['09:00', '18:00']],
  wed: [['09:00', '18:00']],
  thu: [['09:00', '18:00']],
  fri: [['09:00', '18:00']],
} as const satisfies TenantConfigInput['businessHours'];

/** A São Paulo tenant open Mon–Fri 09:00–18:00 with 2026-04-21 as a holiday, unless overridden. */
export function config(overrides: Partial<TenantConfigInput> = {}): FollowUpConfig {
  return parseOrThrow(tenantConfigSchema, {
    timeZone: 'America/Sao_Paulo',
    businessHours: weekdaysNineToSix,
    holidays: ['2026-04-21'],
    ...overrides,
  });
}

/** An active lead that never wrote. */
export function lead(overrides: Partial<FollowUpLead> & { stage?: Stage; automation?: AutomationState } = {}): FollowUpLead {
  return {
    id: '7d0c3a5e-0d2f-4a43-9a3e-2b1f7c9d8e10',
    stage: 'qualifying',
    automation: 'active',
    optedOut: false,
    lastInboundAt: null,
    lastOutboundAt: null,
    ...overrides,
  };
}

/** A pending row. */
export function pending(kind: ScheduledKind, dedupeKey: string, overrides: Partial<PendingFollowUp> = {}): PendingFollowUp {
  return { id: randomUUID(), kind, dedupeKey, dueAt: new Date('2026-03-02T13:30:00Z'), appointmentId: null, ...overrides };
}

/** A scheduled appointment of 30 minutes. */
export function appointment(start: string, overrides: Partial<FollowUpAppointment> = {}): FollowUpAppointment {
  const startAt = new Date(start);
  return {
    id: '0b9d6c1e-3f0a-4e57-8c21-5d4e3f2a1b00',
    start: startAt,
    end: new Date(startAt.getTime() + 30 * 60_000),
    status: 'scheduled',
    ...overrides,
  };
}

/** Commands of one type. */
export function commandsOf<Type extends FollowUpCommand['type']>(
  commands: readonly FollowUpCommand[],
  type: Type,
): Extract<FollowUpCommand, { type: Type }>[] {
  return commands.filter((command): command is Extract<FollowUpCommand, { type: Type }> => command.type === type);
}

/** `[kind, dueAt ISO]` of every schedule command. */
export function schedules(commands: readonly FollowUpCommand[]): [ScheduledKind, string][] {
  return commandsOf(commands, 'schedule').map((command) => [command.kind, command.dueAt.toISOString()]);
}
