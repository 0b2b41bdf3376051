import { describe, expect, it } from 'vitest';
import { SdrError } from '../../errors/index.js';
import { T0, buildLead, newId } from '../__fixtures__/entities.js';
import { createScriptedConversationModel } from './scripted-conversation-model.js';

describe('createScriptedConversationModel', () => {
  it('answers in script order, records inputs, and fails clearly when the script runs out', async () => {
    const model = createScriptedConversationModel([
      'Olá!',
      { text: null, actions: [{ type: 'handoff', reason: 'asked for a human' }] },
      (input) => `Até logo, ${input.lead.name ?? ''}`,
    ]);
    const input = {
      lead: buildLead({ tenantId: newId(), name: 'Ana' }),
      messages: [],
      locale: 'pt-BR',
      timeZone: 'America/Sao_Paulo',
      now: T0,
    };
    expect(await model.reply(input)).toEqual({ text: 'Olá!', actions: [] });
    expect(await model.reply(input)).toEqual({ text: null, actions: [{ type: 'handoff', reason: 'asked for a human' }] });
    expect(await model.reply(input)).toEqual({ text: 'Até logo, Ana', actions: [] });
    expect(model.remaining).toBe(0);
    const error: unknown = await model.reply(input).catch((caught: unknown) => caught);
    expect(SdrError.isInstance(error) && error.message).toMatch(/no reply for call 4: its script has 3 step/);
    expect(model.calls).toHaveLength(4);
  });
});
