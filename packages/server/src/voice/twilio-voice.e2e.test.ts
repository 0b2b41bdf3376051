/**
 * A whole phone call against the running server, as Twilio would place it: the signed `voice`
 * webhook, the signed ConversationRelay socket (a real WebSocket client), a greeting, a question,
 * an interruption (the transcript keeps only what the caller heard), a booking that creates the
 * calendar event, and a handoff that ends in `<Dial>`. The demo tenant's offline phone line and
 * the offline demo model answer.
 */
import { randomUUID } from 'node:crypto';
import { computeTwilioSignature, twilioBodyHash } from '@sdr/adapter-twilio-voice';
import { PhoneNumber, formatLocal } from '@sdr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clientFor, createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';
import { dialTwilioPhone } from './twilio-phone.js';

describe('a phone call to the demo tenant', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({
      ...database.env,
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_DEBOUNCE_MS: '0',
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  const line = () => {
    const tenantId = server?.demo?.tenant.id ?? '';
    const voice = server?.composition.voiceFor(tenantId);
    if (voice === null || voice === undefined) throw new Error('the demo tenant has no phone line');
    return { tenantId, voice, serverUrl: server?.url ?? '', publicBaseUrl: voice.config.publicBaseUrl, authToken: voice.config.authToken };
  };

  it('refuses unsigned, forged and replayed webhooks and sockets (403), and tenants without a line (404)', async () => {
    const { tenantId, serverUrl, publicBaseUrl, authToken } = line();
    const params = { CallSid: 'CA1', From: '+5511987654321', To: '+15005550006' };
    const post = (
      path: string,
      signature: string | undefined,
      body = new URLSearchParams(params).toString(),
      type = 'application/x-www-form-urlencoded',
    ) =>
      fetch(`${serverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
        body,
      });
    const voicePath = `/webhooks/twilio/${tenantId}/voice`;
    const signed = computeTwilioSignature(authToken, `${publicBaseUrl}${voicePath}`, params);
    expect((await post(voicePath, undefined)).status).toBe(403);
    expect((await post(voicePath, computeTwilioSignature('another-token', `${publicBaseUrl}${voicePath}`, params))).status).toBe(403);
    // Signed for the voice hook, replayed to the action hook.
    expect((await post(`/webhooks/twilio/${tenantId}/action`, signed)).status).toBe(403);
    // A changed parameter.
    expect((await post(voicePath, signed, new URLSearchParams({ ...params, From: '+5511000000000' }).toString())).status).toBe(403);
    expect((await post(`/webhooks/twilio/${randomUUID()}/voice`, signed)).status).toBe(404);
    // A JSON body through bodySHA256: accepted when its hash and the URL's signature hold.
    const json = JSON.stringify({ CallSid: 'CA2', CallStatus: 'completed' });
    const statusPath = `/webhooks/twilio/${tenantId}/status?bodySHA256=${twilioBodyHash(json)}`;
    const jsonSignature = computeTwilioSignature(authToken, `${publicBaseUrl}${statusPath}`);
    expect((await post(statusPath, jsonSignature, json, 'application/json')).status).toBe(200);
    expect((await post(statusPath, jsonSignature, json.replace('completed', 'failed'), 'application/json')).status).toBe(403);
    // The answer, when signed: ConversationRelay, no query string on the socket URL.
    const answered = await post(voicePath, signed);
    expect(answered.status).toBe(200);
    const twiml = await answered.text();
    expect(twiml).toContain(`<ConversationRelay url="${publicBaseUrl.replace(/^http/, 'ws')}/webhooks/twilio/${tenantId}/relay"`);
    expect(twiml).not.toMatch(/relay\?/);

    const socketStatus = (headers: Record<string, string>, path = `/webhooks/twilio/${tenantId}/relay`) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}${path}`, { headers });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
      });
    const socketUrl = `${publicBaseUrl.replace(/^http/, 'ws')}/webhooks/twilio/${tenantId}/relay`;
    expect(await socketStatus({})).toBe(403);
    expect(await socketStatus({ 'x-twilio-signature': computeTwilioSignature('another-token', socketUrl) })).toBe(403);
    expect(
      await socketStatus({ 'x-twilio-signature': computeTwilioSignature(authToken, socketUrl) }, `/webhooks/twilio/${randomUUID()}/relay`),
    ).toBe(404);
    expect(await socketStatus({ 'x-twilio-signature': computeTwilioSignature(authToken, socketUrl) })).toBe(101);
  }, 60_000);

  it('greets, answers, keeps only the heard part of an interrupted reply, books, and hands off to a person', async () => {
    const { tenantId, serverUrl, publicBaseUrl, authToken } = line();
    const running = server!;
    const store = running.composition.context.store;
    const tenant = (await store.tenants.get(tenantId))!;
    const phone = await dialTwilioPhone({ serverUrl, publicBaseUrl, authToken, tenantId, from: '+5511976543210' });
    expect(phone.greeting).toMatch(/^Olá! Aqui é Ana, da .+\. Como posso ajudar\?$/);

    expect(await phone.say('oi')).toMatch(/^Quer agendar uma conversa/);

    // The offer is read out; the caller cuts in after the first slot.
    const offer = await phone.say('quero agendar');
    expect(offer).toMatch(/^Tenho estes horários: 1\) .+; 2\) .+\. Qual fica melhor para você\?$/);
    const heard = offer.slice(0, offer.indexOf(';'));
    phone.interrupt(heard, 2300);

    const booked = await phone.say('1');
    const lead = (await store.leads.findByPhone(tenantId, PhoneNumber.parse('+5511976543210')))!;
    const [appointment] = await store.appointments.listByLead(tenantId, lead.id);
    expect(appointment?.status).toBe('scheduled');
    // Said in the tenant's zone.
    expect(booked).toBe(
      `Pronto! Sua reunião ficou marcada para ${formatLocal(appointment!.start, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' })}. Até lá!`,
    );
    // The booking went through the booking service: the calendar has the event.
    expect(appointment?.calendarEventId).not.toBeNull();
    const event = await running.composition.ports
      .calendarFor(tenantId)
      .getEvent({ calendarId: appointment!.calendarId, eventId: appointment!.calendarEventId! });
    expect(event?.start.getTime()).toBe(appointment!.start.getTime());

    await phone.say('quero falar com uma pessoa');
    const end = await phone.ended;
    expect(JSON.parse(end.handoffData ?? '{}')).toEqual({ reason: 'the assistant handed the call to a person' });
    const afterSession = await phone.action();
    expect(afterSession).toContain('<Dial answerOnBridge="true" timeout="30">+5511900000000</Dial>');
    await phone.hangUp();

    // The transcript, on channel voice: the interrupted reply cut to what was heard.
    await expect.poll(async () => (await store.messages.listByLead(tenantId, lead.id)).length, { timeout: 10_000 }).toBe(9);
    const messages = await store.messages.listByLead(tenantId, lead.id);
    expect(messages.map((message) => [message.direction, message.channel])).toEqual([
      ['outbound', 'voice'],
      ['inbound', 'voice'],
      ['outbound', 'voice'],
      ['inbound', 'voice'],
      ['outbound', 'voice'],
      ['inbound', 'voice'],
      ['outbound', 'voice'],
      ['inbound', 'voice'],
      ['outbound', 'voice'],
    ]);
    expect(messages[4]?.body).toBe(heard);
    expect(messages[6]?.body).toBe(booked);
    // Nothing was answered on WhatsApp: the built-in agent left the voice messages to the call.
    await running.agent?.agent.idle();
    expect((await store.messages.listByLead(tenantId, lead.id)).length).toBe(9);
    // The call's summary note waits in the CRM outbox, in the tenant's zone, without the number.
    await expect
      .poll(
        async () => {
          const rows = await running.database.database.query<{ payload: { key: string; text: string } }>(
            'voice.test.note',
            `SELECT payload FROM sdr.outbox WHERE tenant_id = $1 AND type = 'lead.note_added' AND payload->>'key' = $2`,
            [tenantId, `voice-call:${phone.callSid}`],
          );
          return rows[0]?.payload.text ?? '';
        },
        { timeout: 10_000 },
      )
      .toMatch(
        /^Ligação em .+ \(America\/Sao_Paulo\), \d+ s: 4 fala\(s\) do lead, 5 resposta\(s\) do agente\.\nReunião: .+\.\nTransferida para uma pessoa: /,
      );
  }, 120_000);

  it('PUT /v1/integrations/voice validates the configuration, keeps the secrets write-only, and the new token signs at once', async () => {
    const { tenantId, serverUrl } = line();
    const client = clientFor(serverUrl, server?.demo?.apiKey ?? '');
    const bad = await client.request<{ errors?: { field: string }[] }>('PUT', '/v1/integrations/voice', {
      provider: 'twilio',
      config: { accountSid: 'nope', authToken: 't', publicBaseUrl: 'https://voice.example.com', mode: 'media_streams' },
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('config.accountSid');
    expect(JSON.stringify(bad.body)).toContain('config.deepgram');
    const config = {
      accountSid: `AC${'b'.repeat(32)}`,
      authToken: 'a-new-auth-token',
      publicBaseUrl: 'https://voice.example.com',
      humanNumber: '+5511912341234',
    };
    const saved = await client.request('PUT', '/v1/integrations/voice', { provider: 'twilio', config });
    expect(saved.status).toBe(200);
    expect(JSON.stringify(saved.body)).not.toContain('a-new-auth-token');
    const path = `/webhooks/twilio/${tenantId}/action`;
    const params = { CallSid: 'CA3', SessionStatus: 'failed' };
    const answer = await fetch(`${serverUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature('a-new-auth-token', `https://voice.example.com${path}`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(answer.status).toBe(200);
    // A session that failed is transferred rather than hung up on.
    expect(await answer.text()).toContain('<Dial answerOnBridge="true" timeout="30">+5511912341234</Dial>');
  }, 60_000);
});
