import { describe, expect, it } from 'vitest';
import { createAgentWorld } from './__fixtures__/agent-world.js';
import { createScriptedModel } from './testing/index.js';

/** The JSON a tool returned to the model in call `callIndex` (the last tool message of its prompt). */
function toolOutput(model: ReturnType<typeof createScriptedModel>, callIndex: number): unknown {
  const prompt = model.doStreamCalls[callIndex]?.prompt ?? [];
  const last = prompt.at(-1);
  if (last?.role !== 'tool') throw new Error(`call ${String(callIndex)} was not shown a tool result`);
  const part = last.content[0];
  if (part?.type !== 'tool-result') throw new Error('no tool result');
  return part.output.type === 'json' ? part.output.value : part.output;
}

describe('agent: golden conversations', () => {
  it('a lead asks for a meeting: slots offered, the picked one booked — calendar event, stage, reminders, one reply per turn', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'find_slots', input: { from: '2026-03-03T00:00:00-03:00' } }] },
      { text: 'Tenho terça às 09:00, 09:30 ou 10:00. Qual prefere?' },
      { toolCalls: [{ toolName: 'book_meeting', input: { start: '2026-03-03T09:00:00-03:00' } }] },
      { text: 'Pronto! Terça às 09:00.' },
    ]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('quero agendar uma reunião amanhã');
    await world.agent.idle();

    expect(toolOutput(model, 1)).toEqual({
      ok: true,
      timeZone: 'America/Sao_Paulo',
      slots: [
        { start: '2026-03-03T09:00:00-03:00', label: expect.any(String) },
        { start: '2026-03-03T09:30:00-03:00', label: expect.any(String) },
        { start: '2026-03-03T10:00:00-03:00', label: expect.any(String) },
      ],
    });
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['Tenho terça às 09:00, 09:30 ou 10:00. Qual prefere?']);

    await world.leadSays('pode ser às 9h');
    await world.agent.idle();
    // The second turn's system prompt lists the slots offered in the first.
    const system = model.doStreamCalls[2]?.prompt[0];
    expect(system?.role === 'system' ? system.content : '').toContain('1. 2026-03-03T09:00:00-03:00');
    expect(toolOutput(model, 3)).toMatchObject({ ok: true, meeting: { start: '2026-03-03T09:00:00-03:00' } });

    const [appointment, ...others] = await world.store.appointments.listByLead(world.tenant.id, lead.id);
    expect(others).toEqual([]);
    expect(appointment?.start).toEqual(new Date('2026-03-03T12:00:00.000Z'));
    expect(world.calendar.allEvents('primary').map((event) => event.start)).toEqual([new Date('2026-03-03T12:00:00.000Z')]);
    const stored = await world.store.leads.get(world.tenant.id, lead.id);
    expect(stored?.stage).toBe('meeting_scheduled');
    const reminders = world.store
      .dump()
      .scheduledMessages.filter((message) => message.status === 'pending')
      .map((message) => message.kind)
      .sort();
    expect(reminders).toEqual(['reminder_24h', 'reminder_2h']);
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual([
      'Tenho terça às 09:00, 09:30 ou 10:00. Qual prefere?',
      'Pronto! Terça às 09:00.',
    ]);
    // Each reply is the agent's outbound message, sent with the turn's idempotency key.
    const messages = await world.store.messages.listByLead(world.tenant.id, lead.id);
    expect(messages.map((message) => message.direction)).toEqual(['inbound', 'outbound', 'inbound', 'outbound']);
    expect(new Set(world.messaging.sent.map((sent) => sent.idempotencyKey)).size).toBe(2);
    const turns = await world.turns.listTurns(world.tenant.id, lead.id, 10);
    expect(turns.map((turn) => [turn.outcome, turn.toolCalls])).toEqual([
      ['replied', [{ tool: 'book_meeting', ok: true }]],
      ['replied', [{ tool: 'find_slots', ok: true }]],
    ]);
  });

  it('a tool error reaches the model as { ok: false, error }, and the reply says what is possible', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'cancel_meeting', input: {} }] },
      { text: 'Você não tem reunião marcada. Quer agendar uma?' },
    ]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('cancela minha reunião');
    await world.agent.idle();
    expect(toolOutput(model, 1)).toEqual({ ok: false, error: 'the lead has no meeting to cancel' });
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['Você não tem reunião marcada. Quer agendar uma?']);
    const [turn] = await world.turns.listTurns(world.tenant.id, lead.id, 1);
    expect(turn?.toolCalls).toEqual([{ tool: 'cancel_meeting', ok: false, code: 'no_meeting' }]);
  });

  it('malformed tool arguments are refused by the tool, naming the field, and nothing is booked', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'book_meeting', input: { start: 42, leadId: 'someone-else' } }] },
      { toolCalls: [{ toolName: 'find_slots', input: {}, rawInput: '{"from": "amanhã' }] },
      { text: 'Desculpe, pode repetir o horário?' },
    ]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('marca pra mim');
    await world.agent.idle();
    const refused = toolOutput(model, 1) as { ok: boolean; error: string };
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/start/);
    expect(refused.error).toMatch(/leadId/);
    // Unparseable JSON never runs the tool; the SDK reports it to the model as an error.
    const last = model.doStreamCalls[2]?.prompt.at(-1);
    expect(last?.role === 'tool' && last.content[0]?.type === 'tool-result' ? last.content[0].output.type : null).toBe('error-text');
    expect(await world.store.appointments.listByLead(world.tenant.id, lead.id)).toEqual([]);
    expect(world.messaging.sent).toHaveLength(1);
  });

  it('a model that times out twice hands the lead to a person with a note, and the lead is told — never silence', async () => {
    const model = createScriptedModel([{ hang: true }, { hang: true }]);
    const world = await createAgentWorld({ model, agent: { timeoutMs: 50 } });
    const lead = await world.leadSays('oi, tudo bem?');
    await world.agent.idle();
    expect(model.doStreamCalls).toHaveLength(2);
    const stored = await world.store.leads.get(world.tenant.id, lead.id);
    expect(stored?.automation).toBe('paused_handoff');
    expect(stored?.stage).toBe('human_handoff');
    const notes = world.store.dump().outbox.filter((entry) => entry.type === 'lead.note_added');
    expect(notes).toHaveLength(1);
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual([
      'Obrigado pela mensagem! Uma pessoa da nossa equipe vai continuar o atendimento com você em breve.',
    ]);
    const [turn] = await world.turns.listTurns(world.tenant.id, lead.id, 1);
    expect(turn).toMatchObject({ outcome: 'handed_off', attempts: 2, reason: 'timed out' });
  });

  it('a model error is retried once: the second attempt answers', async () => {
    const model = createScriptedModel([{ error: new Error('503 upstream') }, { text: 'Olá! Como posso ajudar?' }]);
    const world = await createAgentWorld({ model });
    const lead = await world.leadSays('oi');
    await world.agent.idle();
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['Olá! Como posso ajudar?']);
    const [turn] = await world.turns.listTurns(world.tenant.id, lead.id, 1);
    expect(turn).toMatchObject({ outcome: 'replied', attempts: 2 });
  });

  it('two messages in quick succession are answered by one reply that saw both', async () => {
    const model = createScriptedModel([{ text: 'Claro! Para quantas pessoas?' }]);
    const world = await createAgentWorld({ model, agent: { debounceMs: 30 } });
    await world.leadSays('oi');
    await world.leadSays('queria saber do plano para equipes');
    await world.agent.idle();
    expect(model.doStreamCalls).toHaveLength(1);
    const users = model.doStreamCalls[0]?.prompt.filter((message) => message.role === 'user');
    expect(users).toHaveLength(2);
    expect(world.messaging.sent).toHaveLength(1);
  });

  it('a message arriving while a turn runs is answered by the next turn, never by a parallel one', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const world = await createAgentWorld({
      model: createScriptedModel([
        () => ({ toolCalls: [{ toolName: 'tag_lead', input: { tags: ['interessado'] } }] }),
        { text: 'primeira resposta' },
        { text: 'segunda resposta' },
      ]),
    });
    // Hold the first turn inside its tool until the second message is in.
    const tagging = world.services.conversation.updateTags.bind(world.services.conversation);
    Object.assign(world.services.conversation, {
      updateTags: async (input: Parameters<typeof tagging>[0]) => {
        await gate;
        return tagging(input);
      },
    });
    const lead = await world.leadSays('oi');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await world.leadSays('mais uma coisa');
    release();
    await world.agent.idle();
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['primeira resposta', 'segunda resposta']);
    const messages = await world.store.messages.listByLead(world.tenant.id, lead.id);
    expect(messages.map((message) => message.direction)).toEqual(['inbound', 'inbound', 'outbound', 'outbound']);
  });
});
