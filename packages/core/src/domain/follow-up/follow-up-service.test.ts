import { describe, expect, it } from 'vitest';
import { NotFoundError, SdrError, VersionConflictError } from '../../errors/index.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { silenceDedupeKey } from './dedupe-keys.js';
import { createFollowUpService } from './follow-up-service.js';
import { followUpWorld, heardNames, newAppointment } from './__fixtures__/service-fixtures.js';

const at = (iso: string) => new Date(iso);

describe('FollowUpService.handle', () => {
  it('schedules re-engagement #1 with its dedupe key, payload and explanation, and tells listeners after commit', async () => {
    const world = await followUpWorld();
    const silence = world.clock.now();
    const result = await world.followUp.handle({
      tenant: world.tenant,
      leadId: world.lead.id,
      event: { type: 'outbound_sent', at: silence },
    });
    expect(result.scheduled).toHaveLength(1);
    const [row] = world.store.dump().scheduledMessages;
    expect(row).toMatchObject({
      kind: 'reengage_1',
      status: 'pending',
      leadId: world.lead.id,
      templateKey: 'reengage_1',
      dedupeKey: silenceDedupeKey('reengage_1', world.lead.id, silence),
      dueAt: at('2026-03-02T13:30:00Z'),
      payload: { silenceStartedAt: silence.toISOString() },
      explanation: { rule: '4.2.1', shifts: [] },
    });
    expect(heardNames(world)).toEqual(['scheduled.created']);
  });

  it('is idempotent: the same event twice keeps one row and announces it once', async () => {
    const world = await followUpWorld();
    const input = { tenant: world.tenant, leadId: world.lead.id, event: { type: 'outbound_sent', at: world.clock.now() } } as const;
    await world.followUp.handle(input);
    const again = await world.followUp.handle(input);
    expect(again.scheduled).toEqual([]);
    expect(world.store.dump().scheduledMessages).toHaveLength(1);
    expect(heardNames(world)).toEqual(['scheduled.created']);
  });

  it('an inbound message cancels the pending re-engagement', async () => {
    const world = await followUpWorld();
    const { tenant, lead } = world;
    await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'outbound_sent', at: world.clock.now() } });
    const result = await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'inbound_received', at: world.clock.now() } });
    expect(result.cancelled.map((row) => row.kind)).toEqual(['reengage_1']);
    expect(world.store.dump().scheduledMessages[0]).toMatchObject({ status: 'cancelled', cancelReason: 'inbound' });
    expect(heardNames(world)).toEqual(['scheduled.created', 'scheduled.cancelled']);
  });

  it('give-up: stage and automation in one update, with the CRM outbox entry in the same unit of work', async () => {
    const world = await followUpWorld();
    const result = await world.followUp.handle({
      tenant: world.tenant,
      leadId: world.lead.id,
      event: { type: 'give_up_due', silenceStartedAt: at('2026-03-01T12:00:00Z') },
    });
    expect(result.lead).toMatchObject({ stage: 'not_interested', automation: 'stopped', version: 1 });
    expect(world.store.dump().outbox).toEqual([
      expect.objectContaining({
        topic: 'crm',
        aggregateType: 'lead',
        aggregateId: world.lead.id,
        type: 'lead.stage_changed',
        payload: { from: 'qualifying', to: 'not_interested', source: 'automation' },
      }),
    ]);
    expect(heardNames(world)).toEqual(['stage.changed', 'automation.changed']);
  });

  it('a stage moved by a human in the CRM is recorded with source crm, so that the sync does not echo it', async () => {
    const world = await followUpWorld();
    await world.followUp.handle({ tenant: world.tenant, leadId: world.lead.id, event: { type: 'crm_stage_changed', to: 'won' } });
    expect(world.store.dump().outbox[0]?.payload).toEqual({ from: 'qualifying', to: 'won', source: 'crm' });
    expect(world.heard.find(([name]) => name === 'stage.changed')?.[1]).toMatchObject({ source: 'crm', to: 'won' });
  });

  it('a stage set by an operator is recorded with source operator, so that the sync writes it to the CRM', async () => {
    const world = await followUpWorld();
    const { tenant, lead } = world;
    const result = await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'operator_stage_changed', to: 'lost' } });
    expect(result.lead).toMatchObject({ stage: 'lost', automation: 'stopped' });
    expect(world.store.dump().outbox[0]?.payload).toEqual({ from: 'qualifying', to: 'lost', source: 'operator' });
    expect(world.heard.find(([name]) => name === 'automation.changed')?.[1]).toMatchObject({ reason: 'operator_stage' });
  });

  it('handoff and resume announce themselves', async () => {
    const world = await followUpWorld();
    const { tenant, lead } = world;
    await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'handoff', reason: 'pediu humano', requestedBy: 'lead' } });
    const resumed = await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'resume' } });
    expect(resumed.lead).toMatchObject({ automation: 'active', stage: 'qualifying' });
    expect(heardNames(world)).toEqual([
      'automation.changed',
      'stage.changed',
      'handoff.requested',
      'automation.changed',
      'stage.changed',
      'handoff.resumed',
    ]);
    expect(world.heard[2]?.[1]).toMatchObject({ reason: 'pediu humano', requestedBy: 'lead' });
  });

  it('an unknown lead is NotFound', async () => {
    const world = await followUpWorld();
    const error = await world.followUp
      .handle({ tenant: world.tenant, leadId: crypto.randomUUID(), event: { type: 'resume' } })
      .catch((caught: unknown) => caught);
    expect(NotFoundError.isInstance(error)).toBe(true);
  });

  it('decides again when another writer updated the lead meanwhile', async () => {
    const world = await followUpWorld();
    let conflicts = 1;
    const racing: Store = {
      ...world.store,
      transaction: (fn) =>
        world.store.transaction((tx) => {
          const leads = {
            ...tx.leads,
            update: (lead: Parameters<Repositories['leads']['update']>[0]) =>
              conflicts-- > 0 ? Promise.reject(new VersionConflictError('lead', lead.id, lead.version)) : tx.leads.update(lead),
          };
          return fn({ ...tx, leads });
        }),
    };
    const followUp = createFollowUpService({ store: racing, clock: world.clock });
    const result = await followUp.handle({ tenant: world.tenant, leadId: world.lead.id, event: { type: 'crm_stage_changed', to: 'lost' } });
    expect(result.lead.stage).toBe('lost');
    expect(world.store.dump().outbox).toHaveLength(1);
  });
});

describe('FollowUpService as the booking’s AppointmentObserver', () => {
  it('writes through the booking transaction and emits only after its commit', async () => {
    const world = await followUpWorld();
    const appointment = newAppointment(world, '2026-03-05T17:00:00Z');
    const effects: Array<() => void> = [];
    await world.store.transaction(async (tx) => {
      await tx.appointments.create(appointment);
      await world.followUp.onAppointmentChange(
        { type: 'booked', appointment },
        { tx, tenant: world.tenant, now: world.clock.now(), afterCommit: (effect) => effects.push(effect) },
      );
      expect(world.heard).toEqual([]);
    });
    for (const effect of effects) effect();
    const dump = world.store.dump();
    expect(dump.leads[0]?.stage).toBe('meeting_scheduled');
    expect(dump.scheduledMessages.map((row) => [row.kind, row.dueAt.toISOString(), row.appointmentId])).toEqual([
      ['reminder_24h', '2026-03-04T17:00:00.000Z', appointment.id],
      ['reminder_2h', '2026-03-05T15:00:00.000Z', appointment.id],
    ]);
    expect(heardNames(world)).toEqual(['stage.changed', 'scheduled.created', 'scheduled.created']);
  });

  it('leaves nothing behind when the booking rolls back', async () => {
    const world = await followUpWorld();
    const appointment = newAppointment(world, '2026-03-05T17:00:00Z');
    const effects: Array<() => void> = [];
    const failed = await world.store
      .transaction(async (tx) => {
        await tx.appointments.create(appointment);
        await world.followUp.onAppointmentChange(
          { type: 'booked', appointment },
          { tx, tenant: world.tenant, now: world.clock.now(), afterCommit: (effect) => effects.push(effect) },
        );
        throw new SdrError('calendar failed');
      })
      .catch((error: unknown) => error);
    expect(SdrError.isInstance(failed)).toBe(true);
    const dump = world.store.dump();
    expect([dump.appointments, dump.scheduledMessages, dump.outbox]).toEqual([[], [], []]);
    expect(dump.leads[0]?.stage).toBe('qualifying');
  });

  it('rescheduled and cancelled replace and remove the reminders', async () => {
    const world = await followUpWorld();
    const first = newAppointment(world, '2026-03-05T17:00:00Z');
    const second = { ...newAppointment(world, '2026-03-06T17:00:00Z'), rescheduledFromId: first.id };
    const context = (tx: Repositories) => ({ tx, tenant: world.tenant, now: world.clock.now() });
    await world.store.transaction(async (tx) => {
      await tx.appointments.create(first);
      await world.followUp.onAppointmentChange({ type: 'booked', appointment: first }, context(tx));
    });
    await world.store.transaction(async (tx) => {
      const cancelled = await tx.appointments.update({ ...first, status: 'cancelled' });
      await tx.appointments.create(second);
      await world.followUp.onAppointmentChange({ type: 'rescheduled', previous: cancelled, appointment: second }, context(tx));
    });
    const statuses = () =>
      world.store.dump().scheduledMessages.map((row) => [row.appointmentId === first.id ? 'first' : 'second', row.kind, row.status]);
    expect(statuses()).toEqual([
      ['first', 'reminder_24h', 'cancelled'],
      ['first', 'reminder_2h', 'cancelled'],
      ['second', 'reminder_24h', 'pending'],
      ['second', 'reminder_2h', 'pending'],
    ]);
    await world.store.transaction(async (tx) => {
      const current = await tx.appointments.get(world.tenant.id, second.id);
      const cancelled = await tx.appointments.update({ ...current!, status: 'cancelled' });
      await world.followUp.onAppointmentChange({ type: 'cancelled', appointment: cancelled }, context(tx));
    });
    expect(statuses().filter(([, , status]) => status === 'pending')).toEqual([]);
  });
});
