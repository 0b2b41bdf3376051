import { describe, expect, it } from 'vitest';
import { createAgentWorld } from './__fixtures__/agent-world.js';
import { createScriptedModel } from './testing/index.js';

function lastToolOutput(model: ReturnType<typeof createScriptedModel>, callIndex: number): unknown {
  const last = model.doStreamCalls[callIndex]?.prompt.at(-1);
  if (last?.role !== 'tool' || last.content[0]?.type !== 'tool-result') throw new Error('no tool result');
  const output = last.content[0].output;
  return output.type === 'json' ? output.value : output;
}

describe('agent: a model that tries to break the rules is refused', () => {
  it('cannot book a slot that was never offered, nor a busy one even when offered', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'book_meeting', input: { start: '2026-03-03T09:00:00-03:00' } }] },
      { toolCalls: [{ toolName: 'find_slots', input: { from: '2026-03-03T09:00:00-03:00' } }] },
      { toolCalls: [{ toolName: 'book_meeting', input: { start: '2026-03-03T09:00:00-03:00' } }] },
      { text: 'Esse horário acabou de ser ocupado.' },
    ]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('quero agendar');
    // Between the offer and the booking, someone else takes 09:00 in the calendar.
    const book = world.services.booking.book.bind(world.services.booking);
    Object.assign(world.services.booking, {
      book: (input: Parameters<typeof book>[0]) => {
        world.calendar.addBusy('primary', { start: new Date('2026-03-03T12:00:00Z'), end: new Date('2026-03-03T13:00:00Z') });
        return book(input);
      },
    });
    await world.agent.idle();
    expect(lastToolOutput(model, 1)).toEqual({
      ok: false,
      error: 'start is not one of the slots offered to this lead: call find_slots and offer its slots first',
    });
    expect(lastToolOutput(model, 3)).toEqual({
      ok: false,
      error: 'that time is no longer free: call find_slots and offer the lead other slots',
    });
    expect(await world.store.appointments.listByLead(world.tenant.id, lead.id)).toEqual([]);
    expect(world.calendar.allEvents('primary')).toEqual([]);
  });

  it('cannot act for another lead: the lead is not an argument, and another lead’s meeting stays untouched', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'cancel_meeting', input: { appointmentId: 'x', leadId: 'y' } }] },
      { toolCalls: [{ toolName: 'update_lead', input: { fields: { team_size: '5' }, leadId: 'other' } }] },
      { text: 'Não posso fazer isso.' },
    ]);
    const world = await createAgentWorld({ model });
    const other = await world.services.conversation.findOrCreateLead({ tenant: world.tenant, from: '+5511911112222' });
    const [slot] = await world.services.booking.findSlots({ tenantId: world.tenant.id, actor: { kind: 'operator' }, limit: 1 });
    if (slot === undefined) throw new Error('no slot');
    const booked = await world.services.booking.book({
      tenantId: world.tenant.id,
      leadId: other.lead.id,
      actor: { kind: 'operator' },
      start: slot.start,
    });
    await world.leadSays('cancela a reunião do outro cliente');
    await world.agent.idle();
    expect(lastToolOutput(model, 1)).toMatchObject({ ok: false, error: expect.stringMatching(/appointmentId|leadId/) });
    expect(lastToolOutput(model, 2)).toMatchObject({ ok: false, error: expect.stringMatching(/leadId/) });
    expect((await world.store.appointments.get(world.tenant.id, booked.appointment.id))?.status).toBe('scheduled');
    expect((await world.store.leads.get(world.tenant.id, other.lead.id))?.fields).toEqual({});
  });

  it('never messages an opted-out lead, whatever the model wants to say', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'opt_out', input: {} }] },
      { text: 'Que pena! Mas olha esta oferta...' },
      { text: 'Oi de novo!' },
    ]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('não quero mais receber mensagens');
    await world.agent.idle();
    expect(world.messaging.sent).toEqual([]);
    await world.leadSays('oi?');
    await world.agent.idle();
    expect(world.messaging.sent).toEqual([]);
    // The second message did not even reach the model.
    expect(model.doStreamCalls).toHaveLength(2);
    const turns = await world.turns.listTurns(world.tenant.id, lead.id, 2);
    expect(turns.map((turn) => turn.reason)).toEqual(['opted_out', 'opted_out_during_turn']);
  });

  it('does not answer leads handed off, stopped, won or lost', async () => {
    const model = createScriptedModel([]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('oi');
    await world.agent.idle();
    expect(world.messaging.sent).toHaveLength(1);
    await world.services.handoff.requestHandoff({ tenant: world.tenant, leadId: lead.id, reason: 'operator', requestedBy: 'operator' });
    await world.leadSays('alô?');
    await world.agent.idle();
    expect(world.messaging.sent).toHaveLength(1);
    const [turn] = await world.turns.listTurns(world.tenant.id, lead.id, 1);
    expect(turn?.reason).toBe('handed_off');
  });
});
