/**
 * Closing the agent: the host closes its database right after `close()` resolves, so no turn may
 * still be running then — not even one started with `runNow` — and none may start afterwards.
 */
import { randomUUID } from 'node:crypto';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { createAgentWorld } from './__fixtures__/agent-world.js';
import { createScriptedModel } from './testing/index.js';

/** A model that answers only once `release` is called; `called` resolves when it is asked. */
function gatedModel() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = () => {};
  const called = new Promise<void>((resolve) => {
    asked = resolve;
  });
  const scripted = createScriptedModel([{ text: 'Olá! Como posso ajudar?' }]);
  const model = new MockLanguageModelV3({
    doStream: async (options) => {
      asked();
      await gate;
      return scripted.doStream(options);
    },
  });
  return { model, release, called };
}

describe('agent: close', () => {
  it('waits for a turn started with runNow, and refuses turns afterwards', async () => {
    const { model, release, called } = gatedModel();
    const world = await createAgentWorld({ model });
    const inbound = await world.services.conversation.recordInbound({
      tenant: world.tenant,
      from: '+5511987654321',
      providerMessageId: randomUUID(),
      body: 'oi',
    });
    if (inbound.outcome !== 'recorded') throw new Error('inbound not recorded');
    const target = { tenantId: world.tenant.id, leadId: inbound.lead.id };

    const order: string[] = [];
    const turn = world.agent.runNow(target).then((record) => {
      order.push(`turn ${record?.outcome ?? 'none'}`);
    });
    await called;
    const closing = world.agent.close().then(() => {
      order.push('closed');
    });
    release();
    await Promise.all([turn, closing]);

    expect(order).toEqual(['turn replied', 'closed']);
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['Olá! Como posso ajudar?']);
    await expect(world.agent.runNow(target)).rejects.toThrow('the agent is closed');
  });
});
