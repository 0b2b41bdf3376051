import { describe, expect, it } from 'vitest';
import { createAgentWorld } from './__fixtures__/agent-world.js';
import { SandboxLanguageModel, sandboxModelPlugin } from './sandbox-model.js';

describe('the offline demo model (provider sandbox)', () => {
  it('greets, asks the qualification questions, offers real slots, books the picked one', async () => {
    const world = await createAgentWorld({ model: new SandboxLanguageModel() });
    const say = async (text: string) => {
      const lead = await world.leadSays(text);
      await world.agent.idle();
      return { lead, reply: world.messaging.sent.at(-1)?.text };
    };
    expect((await say('oi')).reply).toBe('Olá! Eu sou Ana, da Acme. Quantas pessoas tem a sua equipe de vendas?');
    expect((await say('somos 8')).reply).toBe('Obrigada! Qual CRM vocês usam hoje?');
    expect((await say('usamos planilhas')).reply).toBe(
      `Obrigada! Quer agendar uma conversa rápida com a nossa equipe? Posso ver os horários livres.`,
    );
    const offer = await say('quero agendar');
    expect(offer.reply).toMatch(/^Tenho estes horários: 1\) .*10:00; 2\) .*10:30; 3\) .*11:00\. Qual fica melhor para você\?$/);
    const booked = await say('2');
    expect(booked.reply).toMatch(/^Pronto! Sua reunião ficou marcada para .*10:30\. Até lá!$/);
    const lead = await world.store.leads.get(world.tenant.id, booked.lead.id);
    expect(lead?.fields).toEqual({ team_size: 'somos 8', crm: 'usamos planilhas' });
    expect(lead?.stage).toBe('meeting_scheduled');
    const [appointment] = await world.store.appointments.listByLead(world.tenant.id, booked.lead.id);
    expect(appointment?.start).toEqual(new Date('2026-03-02T13:30:00.000Z'));
  });

  it('hands off when the lead asks for a person', async () => {
    const world = await createAgentWorld({ model: new SandboxLanguageModel() });
    const lead = await world.leadSays('quero falar com uma pessoa');
    await world.agent.idle();
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual([
      'Certo! Vou chamar uma pessoa da nossa equipe, que continua a conversa com você em breve.',
    ]);
    expect((await world.store.leads.get(world.tenant.id, lead.id))?.automation).toBe('paused_handoff');
  });

  it('is a model plugin needing no configuration', () => {
    expect(sandboxModelPlugin.configSchema.parse({})).toEqual({});
    expect(sandboxModelPlugin.kind).toBe('model');
  });
});
