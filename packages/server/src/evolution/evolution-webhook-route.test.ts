/**
 * `POST /webhooks/evolution/{tenantId}` on a real database: only deliveries carrying the tenant's
 * secret (header or HS256 JWT) are stored, without their `apikey`, once however often Evolution
 * re-delivers them; the rest is refused or ignored and stores nothing.
 */
import { randomUUID } from 'node:crypto';
import { buildConnectionUpdate, buildMessagesUpdate, buildMessagesUpsert } from '@sdr/adapter-evolution/testing';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createEvolutionWorld, webhookSecret, type EvolutionWorld } from './__fixtures__/evolution-world.js';

const jwtKey = 'jwt-key-for-tests-abcdefghijklmnop';

describeEachDriver('Evolution webhook route', (database) => {
  let world: EvolutionWorld;
  beforeAll(async () => {
    world = await createEvolutionWorld(database(), { settings: { jwtKey } });
  });

  const rows = async (tenantId: string) =>
    database().sql<{ event: string; dedupe_key: string; order_key: string; envelope: Record<string, unknown> }>(
      'SELECT event, dedupe_key, order_key, envelope FROM sdr_server.evolution_inbox WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );

  it('refuses a delivery without the secret, with a wrong one, or for an unknown tenant, and stores nothing', async () => {
    const tenantId = world.acme.tenant.id;
    const body = buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', id: 'REFUSED-1' });
    const answers = [
      await world.deliver(tenantId, body, {}),
      await world.deliver(tenantId, body, { 'x-webhook-secret': 'not-the-secret-0123456789' }),
      await world.deliver(tenantId, body, { authorization: 'Bearer not.a.jwt' }),
      await world.deliver(tenantId, body, { authorization: `Bearer ${await world.jwt(webhookSecret)}` }),
      await world.deliver(randomUUID(), body),
      await world.deliver('not-a-tenant', body),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(answers[0]?.body).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await rows(tenantId)).toEqual([]);
  });

  it('refuses an expired JWT', async () => {
    const tenantId = world.acme.tenant.id;
    const expired = await world.jwt(jwtKey, { expiresAt: new Date(world.clock.now().getTime() - 3_600_000) });
    const answer = await world.deliver(tenantId, buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net' }), {
      authorization: `Bearer ${expired}`,
    });
    expect(answer.status).toBe(401);
    expect(await rows(tenantId)).toEqual([]);
  });

  it('stores a message once however often it is delivered, without its apikey', async () => {
    const tenantId = world.globex.tenant.id;
    const body = buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', id: 'MSG-1', apikey: 'instance-token-secret' });
    const first = await world.deliver(tenantId, body);
    const again = await world.deliver(tenantId, body);
    const byJwt = await world.deliver(tenantId, body, { authorization: `Bearer ${await world.jwt(jwtKey)}` });
    expect([first.status, again.status, byJwt.status]).toEqual([200, 200, 200]);
    expect([first.body.status, again.body.status, byJwt.body.status]).toEqual(['stored', 'duplicate', 'duplicate']);
    const stored = await rows(tenantId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ event: 'messages.upsert', dedupe_key: 'MSG-1', order_key: 'phone:+5511987654321' });
    expect(stored[0]?.envelope).not.toHaveProperty('apikey');
    expect(JSON.stringify(stored)).not.toContain('instance-token-secret');
  });

  it('keys statuses by message and status, connections by instance, and what the phone typed in a queue of its own', async () => {
    const tenantId = world.globex.tenant.id;
    const answers = await Promise.all([
      world.deliver(tenantId, buildMessagesUpdate({ keyId: 'OUT-1', status: 'DELIVERY_ACK' })),
      world.deliver(tenantId, buildMessagesUpdate({ keyId: 'OUT-1', status: 'READ' })),
      world.deliver(tenantId, buildConnectionUpdate({ state: 'close', instance: 'acme-number' })),
      world.deliver(
        tenantId,
        buildMessagesUpsert({ remoteJid: '123456789@lid', senderPn: '5511912345678@s.whatsapp.net', fromMe: true, id: 'PHONE-1' }),
      ),
    ]);
    expect(answers.map((answer) => answer.body.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const keys = (await rows(tenantId)).slice(1).map((row) => [row.event, row.order_key]);
    expect(keys).toEqual(
      expect.arrayContaining([
        ['messages.update', 'status:OUT-1'],
        ['messages.update', 'status:OUT-1'],
        ['connection.update', 'instance:acme-number'],
        ['messages.upsert', 'out:phone:+5511912345678'],
      ]),
    );
  });

  it('answers 400 to a malformed envelope and 200 to what carries nothing to act on, storing neither', async () => {
    const tenantId = world.acme.tenant.id;
    const malformed = await world.deliver(tenantId, { event: 'messages.upsert', instance: 'x', data: { key: { fromMe: false } } });
    const group = await world.deliver(tenantId, buildMessagesUpsert({ remoteJid: '120363000000000000@g.us' }));
    const unknown = await world.deliver(tenantId, { event: 'chats.update', instance: 'x', data: [] });
    expect(malformed.status).toBe(400);
    expect([group.status, group.body.status, unknown.status, unknown.body.status]).toEqual([200, 'ignored', 200, 'ignored']);
    expect(await rows(tenantId)).toEqual([]);
  });
});
