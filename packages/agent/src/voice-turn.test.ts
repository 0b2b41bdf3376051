import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { Message } from '@sdr/core';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { createAgentWorld, testPersona } from './__fixtures__/agent-world.js';
import { agentSettingsSchema } from './agent-settings.js';
import type { TurnToolState } from './agent-tools.js';
import { createScriptedModel } from './testing/index.js';
import { streamVoiceTurn, VoiceTurnFailure, type VoiceTurnInput } from './voice-turn.js';

async function phoneTurn(model: MockLanguageModelV3, overrides: Partial<VoiceTurnInput> = {}) {
  const world = await createAgentWorld({ model });
  const { lead } = await world.services.conversation.findOrCreateLead({ tenant: world.tenant, from: '+5511987654321' });
  const state: TurnToolState = { offered: [], appointment: null, handedOff: false, optedOut: false, calls: [] };
  const input = (history: Pick<Message, 'direction' | 'body'>[], signal = new AbortController().signal): VoiceTurnInput => ({
    services: world.services,
    clock: world.clock,
    model,
    settings: agentSettingsSchema.parse(testPersona),
    tenant: world.tenant,
    lead,
    history,
    state,
    appointment: state.appointment,
    signal,
    ...overrides,
  });
  const collect = async (stream: AsyncIterable<string>) => {
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  };
  return { world, lead, state, input, collect };
}

describe('streamVoiceTurn', () => {
  it('books through the booking service with the same tools, so the calendar event exists; the prompt carries the phone rules', async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: 'find_slots', input: { from: '2026-03-03T00:00:00-03:00' } }] },
      { text: 'Tenho terça às nove ou nove e meia.' },
      { toolCalls: [{ toolName: 'book_meeting', input: { start: '2026-03-03T09:00:00-03:00' } }] },
      { text: 'Pronto, terça às nove.' },
    ]);
    const { world, lead, state, input, collect } = await phoneTurn(model);
    expect(await collect(streamVoiceTurn(input([{ direction: 'inbound', body: 'quero agendar' }])))).toEqual([
      'Tenho terça às nove ou nove e meia.',
    ]);
    // Two slots offered on the phone, not three.
    expect(state.offered).toHaveLength(2);
    const second = await collect(
      streamVoiceTurn(
        input([
          { direction: 'inbound', body: 'quero agendar' },
          { direction: 'outbound', body: 'Tenho terça às nove ou nove e meia.' },
          { direction: 'inbound', body: 'às nove' },
        ]),
      ),
    );
    expect(second).toEqual(['Pronto, terça às nove.']);
    const [appointment] = await world.store.appointments.listByLead(world.tenant.id, lead.id);
    expect(appointment?.status).toBe('scheduled');
    const events = await world.calendar.listEvents({
      calendarId: appointment!.calendarId,
      timeMin: new Date('2026-03-03T00:00:00Z'),
      timeMax: new Date('2026-03-04T00:00:00Z'),
    });
    expect(events.map((event) => event.start.toISOString())).toEqual(['2026-03-03T12:00:00.000Z']);
    expect(model.doStreamCalls[0]?.prompt[0]).toMatchObject({ role: 'system', content: expect.stringContaining('## Phone call') });
  });

  it('stops mid-answer when the signal aborts: the words so far, then the end, no error', async () => {
    const model = new MockLanguageModelV3({
      doStream: ({ abortSignal }) =>
        Promise.resolve({
          stream: new ReadableStream<LanguageModelV3StreamPart>({
            start(controller) {
              controller.enqueue({ type: 'stream-start', warnings: [] });
              controller.enqueue({ type: 'text-start', id: 't' });
              controller.enqueue({ type: 'text-delta', id: 't', delta: 'Tenho terça ' });
              abortSignal?.addEventListener('abort', () => controller.error(abortSignal.reason));
            },
          }),
        }),
    });
    const { input } = await phoneTurn(model);
    const controller = new AbortController();
    const chunks: string[] = [];
    for await (const chunk of streamVoiceTurn(input([{ direction: 'inbound', body: 'horários?' }], controller.signal))) {
      chunks.push(chunk);
      controller.abort();
    }
    expect(chunks).toEqual(['Tenho terça ']);
  });

  it('throws VoiceTurnFailure when the model errs or says nothing', async () => {
    const failing = await phoneTurn(createScriptedModel([{ error: new Error('upstream 500') }]));
    await expect(failing.collect(streamVoiceTurn(failing.input([{ direction: 'inbound', body: 'oi' }])))).rejects.toBeInstanceOf(
      VoiceTurnFailure,
    );
    const silent = await phoneTurn(createScriptedModel([{ text: '' }]));
    await expect(silent.collect(streamVoiceTurn(silent.input([{ direction: 'inbound', body: 'oi' }])))).rejects.toThrow(
      'the model gave no reply',
    );
  });
});
