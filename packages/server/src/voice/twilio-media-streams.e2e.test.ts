/**
 * A Media Streams call against the running server, as Twilio places it: the signed `voice`
 * webhook answers `<Connect><Stream>` with `<Parameter>`s, Twilio's side of the stream (a real
 * WebSocket client, signed upgrade) sends `start` and plays the audio it gets, and speech goes
 * through Deepgram's protocol to a local fake: the greeting, a reply, a barge-in mid-reply
 * (Twilio `clear`, the transcript cut to what was played), and a handoff that ends in `<Dial>`.
 */
import { randomBytes } from 'node:crypto';
import { computeTwilioSignature } from '@sdr/adapter-twilio-voice';
import {
  connectFakeTwilioMediaCall,
  startFakeDeepgramServer,
  type FakeDeepgramConnection,
  type FakeDeepgramServer,
  type FakeTwilioMediaCall,
} from '@sdr/adapter-twilio-voice/testing';
import { PhoneNumber } from '@sdr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';

const humanNumber = '+5511900000000';

describe('a Media Streams call to a tenant that brings Deepgram', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let deepgram: FakeDeepgramServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({
      ...database.env,
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_DEBOUNCE_MS: '0',
    });
    deepgram = await startFakeDeepgramServer({ apiKey: 'dg-test-key', bytesPerCharacter: 80, audioFrameBytes: 800 });
    const tenantId = server.demo?.tenant.id ?? '';
    await server.composition.integrations.set({
      tenantId,
      kind: 'voice',
      provider: 'twilio',
      config: {
        accountSid: `AC${'c'.repeat(32)}`,
        authToken: 'media-streams-auth-token',
        publicBaseUrl: 'https://phone.example.com',
        mode: 'media_streams',
        humanNumber,
        deepgram: { apiKey: 'dg-test-key', baseUrl: deepgram.baseUrl },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await deepgram?.stop();
    await database?.drop();
  }, 60_000);

  const line = () => {
    const tenantId = server?.demo?.tenant.id ?? '';
    const voice = server?.composition.voiceFor(tenantId);
    if (voice?.config.mode !== 'media_streams') throw new Error('the tenant has no Media Streams line');
    return { tenantId, serverUrl: server?.url ?? '', publicBaseUrl: voice.config.publicBaseUrl, authToken: voice.config.authToken };
  };

  const postSigned = async (path: string, params: Record<string, string>) => {
    const { serverUrl, publicBaseUrl, authToken } = line();
    const response = await fetch(`${serverUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature(authToken, `${publicBaseUrl}${path}`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    return response.text();
  };

  /** Connects to the stream socket the TwiML names, as Twilio does (signed unless told otherwise). */
  const connectStream = (streamUrl: string, callSid: string, signed = true) => {
    const { serverUrl, authToken } = line();
    const local = `${serverUrl.replace(/^http/, 'ws')}${new URL(streamUrl).pathname}`;
    return connectFakeTwilioMediaCall(local, {
      callSid,
      streamSid: `MZ${randomBytes(16).toString('hex')}`,
      headers: signed ? { 'x-twilio-signature': computeTwilioSignature(authToken, streamUrl) } : {},
    });
  };

  const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;
  const streamUrlOf = (callSid: string) => `wss://phone.example.com/webhooks/twilio/${line().tenantId}/stream/${callSid}`;
  /** What the synthesiser was asked to say from the `from`-th `Speak` on. */
  const spokenSince = (speak: FakeDeepgramConnection, from: number) => speak.spokenTexts.slice(from).join('');
  const mediaOf = (call: FakeTwilioMediaCall, flush: number) =>
    call.received.filter((message) => message.event === 'media' && message.audio?.[0] === flush).length;

  it('refuses an unsigned or forged stream upgrade', async () => {
    const callSid = newCallSid();
    await expect(connectStream(streamUrlOf(callSid), callSid, false)).rejects.toThrow(/HTTP 403/);
    const { serverUrl } = line();
    const forged = connectFakeTwilioMediaCall(`${serverUrl.replace(/^http/, 'ws')}/webhooks/twilio/${line().tenantId}/stream/${callSid}`, {
      headers: { 'x-twilio-signature': computeTwilioSignature('another-token', streamUrlOf(callSid)) },
    });
    await expect(forged).rejects.toThrow(/HTTP 403/);
  }, 30_000);

  it('greets, answers, clears on a barge-in keeping only what was heard, records the call on voice, and dials a person after a handoff', async () => {
    const { tenantId } = line();
    const running = server!;
    const fake = deepgram!;
    const store = running.composition.context.store;
    const from = '+5511965432100';
    const callSid = newCallSid();

    const twiml = await postSigned(`/webhooks/twilio/${tenantId}/voice`, { CallSid: callSid, From: from, To: '+15005550006' });
    const streamUrl = streamUrlOf(callSid);
    expect(twiml).toContain(`<Connect action="https://phone.example.com/webhooks/twilio/${tenantId}/action"><Stream url="${streamUrl}">`);
    expect(twiml).toContain(`<Parameter name="callSid" value="${callSid}"/><Parameter name="from" value="${from}"/>`);
    const customParameters = Object.fromEntries(
      [...twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]+)"\/>/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );

    const call = await connectStream(streamUrl, callSid);
    const [listen, speak] = await Promise.all([fake.nextConnection('listen'), fake.nextConnection('speak')]);
    expect(listen.authorization).toBe('Token dg-test-key');
    call.start(customParameters);

    // The greeting: synthesised, streamed to Twilio, played to its end mark.
    await call.waitFor(() => call.echoedMarks.includes('e:1'), 20_000);
    expect(spokenSince(speak, 0)).toMatch(/^Olá! Aqui é Ana, da .+\. Como posso ajudar\?$/);
    expect(mediaOf(call, 1)).toBeGreaterThan(0);

    // A final transcript is a turn of the agent; its reply is played.
    let said = speak.spokenTexts.length;
    listen.sendResults({ transcript: 'oi', isFinal: true, speechFinal: true });
    await call.waitFor(() => call.echoedMarks.includes('e:2'), 20_000);
    expect(spokenSince(speak, said)).toMatch(/^Quer agendar uma conversa/);
    expect(mediaOf(call, 2)).toBeGreaterThan(0);

    // The offer is being played when the caller starts speaking: Twilio is told to clear.
    said = speak.spokenTexts.length;
    listen.sendResults({ transcript: 'quero agendar', isFinal: true, speechFinal: true });
    await call.waitFor(() => call.echoedMarks.some((mark) => mark.startsWith('p:3:')), 20_000);
    listen.sendSpeechStarted();
    await call.waitFor(() => (call.counts.clear ?? 0) === 1, 10_000);
    const offer = spokenSince(speak, said);
    expect(offer).toMatch(/^Tenho estes horários: 1\) /);
    await expect.poll(() => speak.controlTypes.includes('Clear'), { timeout: 5_000 }).toBe(true);
    const clearedAt = call.received.findIndex((message) => message.event === 'clear');
    // No audio of the interrupted reply after the clear.
    expect(call.received.slice(clearedAt).some((message) => message.event === 'media' && message.audio?.[0] === 3)).toBe(false);

    // The caller asks for a person: the reply is played, then the server ends the stream.
    said = speak.spokenTexts.length;
    listen.sendResults({ transcript: 'quero falar com uma pessoa', isFinal: true, speechFinal: true });
    expect(await Promise.race([call.closed, new Promise((resolve) => setTimeout(() => resolve('open'), 30_000))])).toBe(1000);
    const farewell = spokenSince(speak, said);
    expect(farewell.length).toBeGreaterThan(0);

    // Twilio goes on with the action URL: the call is transferred.
    const afterSession = await postSigned(`/webhooks/twilio/${tenantId}/action`, {
      CallSid: callSid,
      From: from,
      To: '+15005550006',
      CallStatus: 'in-progress',
    });
    expect(afterSession).toContain(`<Dial answerOnBridge="true" timeout="30">${humanNumber}</Dial>`);

    // The transcript on channel voice; the interrupted reply cut to what was played.
    const lead = (await store.leads.findByPhone(tenantId, PhoneNumber.parse(from)))!;
    await expect.poll(async () => (await store.messages.listByLead(tenantId, lead.id)).length, { timeout: 10_000 }).toBe(7);
    const messages = await store.messages.listByLead(tenantId, lead.id);
    expect(messages.map((message) => [message.direction, message.channel, message.body.split(' ')[0]])).toEqual([
      ['outbound', 'voice', 'Olá!'],
      ['inbound', 'voice', 'oi'],
      ['outbound', 'voice', 'Quer'],
      ['inbound', 'voice', 'quero'],
      ['outbound', 'voice', 'Tenho'],
      ['inbound', 'voice', 'quero'],
      ['outbound', 'voice', farewell.split(' ')[0]],
    ]);
    expect(messages[3]?.body).toBe('quero agendar');
    expect(messages[5]?.body).toBe('quero falar com uma pessoa');
    const heard = messages[4]?.body ?? '';
    expect(offer.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(offer.length);
    expect(messages[6]?.body).toBe(farewell);
    // The call's summary note waits in the CRM outbox.
    await expect
      .poll(
        async () => {
          const rows = await running.database.database.query<{ payload: { text: string } }>(
            'media.test.note',
            `SELECT payload FROM sdr.outbox WHERE tenant_id = $1 AND type = 'lead.note_added' AND payload->>'key' = $2`,
            [tenantId, `voice-call:${callSid}`],
          );
          return rows[0]?.payload.text ?? '';
        },
        { timeout: 10_000 },
      )
      .toMatch(/^Ligação em .+ 3 fala\(s\) do lead, 4 resposta\(s\) do agente\.\n.+\nTransferida para uma pessoa: /);
  }, 120_000);

  it('serves a stream this process never answered: the caller comes from the start message’s parameters', async () => {
    const { tenantId } = line();
    const store = server!.composition.context.store;
    const from = '+5511954321000';
    // Answered by another process: only the TwiML's parameters reach this one.
    const callSid = newCallSid();
    const call = await connectStream(streamUrlOf(callSid), callSid);
    await Promise.all([deepgram!.nextConnection('listen'), deepgram!.nextConnection('speak')]);
    call.start({ callSid, from });
    await call.waitFor(() => call.echoedMarks.includes('e:1'), 20_000);
    const lead = await store.leads.findByPhone(tenantId, PhoneNumber.parse(from));
    expect(lead).not.toBeNull();
    call.stop();
    expect(await call.closed).toBe(1000);
    await expect
      .poll(async () => (await store.messages.listByLead(tenantId, lead!.id)).map((message) => message.channel))
      .toEqual(['voice']);

    // Neither a parameter nor a call answered here: nobody to talk to, the socket is closed.
    const unknownSid = newCallSid();
    const unknown = await connectStream(streamUrlOf(unknownSid), unknownSid);
    await Promise.all([deepgram!.nextConnection('listen'), deepgram!.nextConnection('speak')]);
    unknown.start({ callSid: unknownSid });
    expect(await unknown.closed).toBe(1011);
    // A start for another call than the socket's path named is refused the same way.
    const pathSid = newCallSid();
    const mismatched = await connectFakeTwilioMediaCall(
      `${line().serverUrl.replace(/^http/, 'ws')}/webhooks/twilio/${tenantId}/stream/${pathSid}`,
      { callSid: newCallSid(), headers: { 'x-twilio-signature': computeTwilioSignature(line().authToken, streamUrlOf(pathSid)) } },
    );
    await Promise.all([deepgram!.nextConnection('listen'), deepgram!.nextConnection('speak')]);
    mismatched.start({ from });
    expect(await mismatched.closed).toBe(1011);
  }, 60_000);
});
