import { describe, expect, it } from 'vitest';
import { agentSettingsSchema, defaultAgentSettings } from './agent-settings.js';
import { buildSystemPrompt, type SystemPromptInput } from './system-prompt.js';

const base: SystemPromptInput = {
  settings: agentSettingsSchema.parse({
    name: 'Ana',
    company: 'Acme',
    goal: 'agendar uma demonstração',
    questions: [
      { field: 'team_size', question: 'Quantas pessoas tem a sua equipe de vendas?' },
      { field: 'crm', question: 'Qual CRM vocês usam hoje?' },
    ],
    facts: ['Plano equipe: R$ 99 por usuário por mês.'],
    limits: ['Não dê descontos.'],
  }),
  tenant: { name: 'Acme Ltda', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' },
  lead: { name: 'Maria', email: null, stage: 'qualifying', fields: { team_size: '8' }, tags: ['inbound'] },
  now: new Date('2026-03-02T11:00:00.000Z'),
  appointment: null,
  offeredSlots: [{ start: new Date('2026-03-03T12:00:00.000Z') }, { start: new Date('2026-03-03T12:30:00.000Z') }],
};

describe('buildSystemPrompt', () => {
  it('writes the persona, the situation and the rules (golden)', async () => {
    await expect(buildSystemPrompt(base)).toMatchFileSnapshot('./__fixtures__/system-prompt.golden.txt');
  });

  it('with the default persona and a booked meeting (golden)', async () => {
    const prompt = buildSystemPrompt({
      ...base,
      settings: defaultAgentSettings,
      lead: { name: null, email: null, stage: 'meeting_scheduled', fields: {}, tags: [] },
      appointment: { start: new Date('2026-03-03T12:00:00.000Z'), end: new Date('2026-03-03T12:30:00.000Z') },
      offeredSlots: [],
    });
    await expect(prompt).toMatchFileSnapshot('./__fixtures__/system-prompt-default.golden.txt');
  });

  it('is pure: the same input gives the same text, and times are in the tenant zone', () => {
    expect(buildSystemPrompt(base)).toBe(buildSystemPrompt(base));
    expect(buildSystemPrompt(base)).toContain('1. 2026-03-03T09:00:00-03:00');
    expect(buildSystemPrompt({ ...base, tenant: { ...base.tenant, timeZone: 'Europe/Lisbon' } })).toContain('1. 2026-03-03T12:00:00+00:00');
  });
});
