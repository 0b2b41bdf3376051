/**
 * Golden files: the notes are compared with `__fixtures__/*.txt`. After an intended change of
 * the note, regenerate them with `pnpm test -u` (or `pnpm vitest run -u handoff-note`) and
 * review the diff.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneNumber } from '../identity/phone-number.js';
import { stages } from '../model/lead.js';
import type { Message } from '../model/message.js';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema, type TenantConfigInput } from '../model/tenant.js';
import { buildHandoffNote, handoffNoteKey, type HandoffNoteInput } from './handoff-note.js';

const config = (overrides: Partial<TenantConfigInput> = {}) =>
  parseOrThrow(tenantConfigSchema, { timeZone: 'America/Sao_Paulo', ...overrides });

function message(
  direction: Message['direction'],
  iso: string,
  body: string,
  media: Message['media'] = [],
): HandoffNoteInput['messages'][number] {
  return { direction, createdAt: new Date(iso), body, media };
}

const conversation = [
  message('inbound', '2026-03-02T12:58:00Z', 'Oi! Vi o anúncio de vocês.'),
  message('outbound', '2026-03-02T12:59:00Z', 'Oi Ana! Que bom. Para quantas pessoas seria o plano?'),
  message('inbound', '2026-03-02T13:01:00Z', 'Somos 12 na equipe.\n\nMas achei o preço alto…'),
  message('inbound', '2026-03-02T13:02:00Z', '', [{ ref: 'blob:1', contentType: 'application/pdf', fileName: 'proposta-concorrente.pdf' }]),
  message('outbound', '2026-03-02T13:03:00Z', 'Entendo! Posso te mostrar o que está incluído.'),
  message('inbound', '2026-03-02T13:05:00Z', 'Prefiro falar com uma pessoa, por favor.'),
];

const rich: HandoffNoteInput = {
  lead: {
    name: 'Ana Souza',
    phone: PhoneNumber.parse('+55 11 98765-4321'),
    email: 'ana@example.com',
    stage: 'human_handoff',
    fields: { team_size: 12, budget: 'R$ 1.000/mês', city: 'São Paulo', decision_maker: true },
    tags: ['vip', 'objeção: preço'],
    optedOut: false,
  },
  config: config(),
  reason: 'O lead pediu para falar com uma pessoa.',
  requestedBy: 'lead',
  at: new Date('2026-03-02T13:06:00Z'),
  appointment: { start: new Date('2026-03-09T13:00:00Z'), end: new Date('2026-03-09T13:30:00Z') },
  messages: conversation,
};

describe('buildHandoffNote: golden files', () => {
  it('pt-BR: every section, in order, with the meeting in local time', async () => {
    await expect(buildHandoffNote(rich).text).toMatchFileSnapshot('./__fixtures__/handoff-note.pt-BR.txt');
  });

  it('en: the same note for an English-speaking tenant in New York', async () => {
    const note = buildHandoffNote({
      ...rich,
      config: config({ locale: 'en-US', timeZone: 'America/New_York' }),
      requestedBy: 'agent',
      reason: 'Pricing objection the bot cannot handle.',
    });
    await expect(note.text).toMatchFileSnapshot('./__fixtures__/handoff-note.en.txt');
  });

  it('empty sections say so; an opted-out lead gets a next step that says not to write', async () => {
    const note = buildHandoffNote({
      ...rich,
      lead: { ...rich.lead, name: null, email: null, stage: 'new', fields: {}, tags: [], optedOut: true },
      appointment: null,
      messages: [],
      requestedBy: 'operator',
      reason: 'Revisão manual',
    });
    await expect(note.text).toMatchFileSnapshot('./__fixtures__/handoff-note.empty.pt-BR.txt');
  });

  it('bounded: the oldest messages are left out first, and the note says how many', async () => {
    const long = Array.from({ length: 10 }, (_, index) =>
      message(
        index % 2 === 0 ? 'inbound' : 'outbound',
        `2026-03-02T12:${String(10 + index)}:00Z`,
        `Mensagem ${index}: ${'bla '.repeat(40)}`,
      ),
    );
    const note = buildHandoffNote({ ...rich, messages: long, config: config({ handoff: { maxNoteLength: 1500, lastMessages: 8 } }) });
    expect(note).toMatchObject({ truncated: true });
    expect(note.quotedMessages).toBeLessThan(8);
    expect(note.text.length).toBeLessThanOrEqual(1500);
    await expect(note.text).toMatchFileSnapshot('./__fixtures__/handoff-note.bounded.pt-BR.txt');
  });
});

describe('buildHandoffNote: properties', () => {
  const inputs = fc.record({
    name: fc.option(fc.string({ minLength: 1, maxLength: 300 }), { nil: null }),
    stage: fc.constantFrom(...stages),
    fields: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 100 }),
      fc.oneof(fc.string({ maxLength: 2000 }), fc.integer(), fc.boolean()),
      { maxKeys: 30 },
    ),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 100 }), { maxLength: 40 }),
    reason: fc.string({ minLength: 1, maxLength: 2000 }),
    requestedBy: fc.constantFrom('agent' as const, 'lead' as const, 'operator' as const),
    bodies: fc.array(fc.string({ maxLength: 3000 }), { maxLength: 60 }),
    maxNoteLength: fc.integer({ min: 500, max: 20_000 }),
    lastMessages: fc.integer({ min: 0, max: 50 }),
    locale: fc.constantFrom('pt-BR', 'en', 'es'),
  });

  it('never longer than maxNoteLength; deterministic; sections always in the same order', () => {
    fc.assert(
      fc.property(inputs, (generated) => {
        const input: HandoffNoteInput = {
          ...rich,
          lead: { ...rich.lead, name: generated.name, stage: generated.stage, fields: generated.fields, tags: generated.tags },
          reason: generated.reason,
          requestedBy: generated.requestedBy,
          config: config({
            locale: generated.locale,
            handoff: { maxNoteLength: generated.maxNoteLength, lastMessages: generated.lastMessages },
          }),
          messages: generated.bodies.map((body, index) =>
            message(index % 2 === 0 ? 'inbound' : 'outbound', new Date(Date.UTC(2026, 2, 2, 12, index)).toISOString(), body),
          ),
        };
        const note = buildHandoffNote(input);
        expect(note.text.length).toBeLessThanOrEqual(generated.maxNoteLength);
        expect(buildHandoffNote(input)).toEqual(note);
        expect(note.quotedMessages).toBeLessThanOrEqual(Math.min(generated.lastMessages, generated.bodies.length));
        if (!note.text.endsWith('…')) {
          const headers = note.text.split('\n').filter((line) => line.startsWith('== '));
          expect(headers).toHaveLength(6);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('one key per handoff: the lead and the instant it was asked for', () => {
    expect(handoffNoteKey('lead-1', new Date('2026-03-02T13:06:00Z'))).toBe('handoff:lead-1:1772456760000');
  });
});
