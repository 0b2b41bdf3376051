import { noopLogger, systemClock } from '@sdr/core';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { VoiceTurns } from '../voice-turns.js';
import { runMediaStreamSession, type MediaStreamSessionResult } from './media-stream-session.js';
import { connectFakeTwilioMediaCall, type FakeTwilioMediaCall } from './testing/fake-twilio-media-call.js';
import { createInMemorySpeechToText, createInMemoryTextToSpeech } from './testing/in-memory-speech.js';

const greeting = 'Olá, clínica Sorriso.';
const longReply =
  'Claro! Temos horários amanhã às nove, às dez e meia, às onze e quinze, e também à tarde às duas, às três e às quatro e meia. Qual prefere?';

/** A conversation whose replies are scripted, recording what the session told it. */
function scriptedTurns(replies: Record<string, string>, options: { handoffAfter?: string; handoffDuring?: string } = {}) {
  const log = { utterances: [] as string[], interrupted: [] as string[], aborted: [] as string[], digits: [] as string[], ended: 0 };
  let handoff: { reason: string } | undefined;
  const turns: VoiceTurns = {
    greeting: () => Promise.resolve(greeting),
    async *reply(utterance, signal) {
      log.utterances.push(utterance);
      const text = replies[utterance] ?? 'Não entendi.';
      signal.addEventListener('abort', () => log.aborted.push(utterance), { once: true });
      if (options.handoffDuring === utterance) handoff = { reason: 'transfer requested' };
      // Word by word, slower than synthesis, like a model streaming tokens.
      for (const word of text.split(/(?<= )/)) {
        if (signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
        yield word;
      }
      if (options.handoffAfter === utterance) handoff = { reason: 'caller asked for a person' };
    },
    interrupted: (heard) => {
      log.interrupted.push(heard);
      return Promise.resolve();
    },
    dtmf: (digit) => {
      log.digits.push(digit);
      return Promise.resolve();
    },
    get handoff() {
      return handoff;
    },
    end: () => {
      log.ended += 1;
      return Promise.resolve();
    },
  };
  return { turns, log };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function startCall(turns: VoiceTurns) {
  const stt = createInMemorySpeechToText();
  const tts = createInMemoryTextToSpeech({ fill: 0x55 });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const result = new Promise<MediaStreamSessionResult>((resolve) =>
    server.once('connection', (socket) =>
      resolve(runMediaStreamSession({ socket, stt: stt.port, tts: tts.port, clock: systemClock, turns, logger: noopLogger })),
    ),
  );
  const call = await connectFakeTwilioMediaCall(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`);
  cleanup = async () => {
    call.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { stt, tts, call, result };
}

/** The greeting's end mark was echoed, and the session had the time to read the echo. */
async function greeted(call: FakeTwilioMediaCall): Promise<void> {
  await call.waitFor(() => call.echoedMarks.includes('e:1'));
  await new Promise((resolve) => setTimeout(resolve, 30));
}

const mediaOf = (call: FakeTwilioMediaCall) => call.received.filter((message) => message.event === 'media');
const bytesOf = (call: FakeTwilioMediaCall) => mediaOf(call).reduce((total, message) => total + (message.audio?.byteLength ?? 0), 0);

describe('runMediaStreamSession over a real WebSocket', () => {
  it('greets, answers a final transcript, and on speech mid-reply clears Twilio, stops the audio and keeps only what was heard', async () => {
    const { turns, log } = scriptedTurns({ 'quero marcar uma consulta': longReply });
    const { stt, tts, call, result } = await startCall(turns);
    call.start({ tenantId: 'tenant-1' });

    // The greeting is played, paced in 20 ms frames of 160 bytes, and its end mark comes back.
    await greeted(call);
    expect(bytesOf(call)).toBe(greeting.length * 80);
    // 1680 bytes: ten full 20 ms frames and a last half frame, all of the synthesised audio.
    expect(mediaOf(call).map((message) => message.audio?.byteLength)).toEqual([...Array<number>(10).fill(160), 80]);
    expect(mediaOf(call).every((message) => message.audio?.every((byte) => byte === 0x55))).toBe(true);
    const greetingMedia = mediaOf(call);
    const greetingSpan = (greetingMedia.at(-1)?.atMs ?? 0) - (greetingMedia[0]?.atMs ?? 0);
    // 1680 bytes = 210 ms of audio: sent near real time, not in one burst.
    expect(greetingSpan).toBeGreaterThan(80);

    // The caller talks; their audio reaches the recogniser.
    call.sendAudio(new Uint8Array(1600).fill(0x7f));
    await call.waitFor(() => stt.audioBytes() === 1600);
    stt.emit({ type: 'speech-started' });
    stt.emit({ type: 'transcript', text: 'quero marcar', isFinal: true, endOfUtterance: false });
    stt.emit({ type: 'transcript', text: 'uma consulta', isFinal: true, endOfUtterance: true });
    await call.waitFor(() => bytesOf(call) >= greeting.length * 80 + 4000);
    expect(log.utterances).toEqual(['quero marcar uma consulta']);

    // Barge-in half a second into the reply.
    stt.emit({ type: 'speech-started' });
    await call.waitFor(() => call.received.some((message) => message.event === 'clear'));
    const clearIndex = call.received.findIndex((message) => message.event === 'clear');
    const replyBytesAtClear = bytesOf(call) - greeting.length * 80;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(call.received.slice(clearIndex + 1).filter((message) => message.event === 'media')).toEqual([]);
    expect(tts.calls).toContain('clear');

    const heard = log.interrupted[0] ?? '';
    expect(log.interrupted).toHaveLength(1);
    expect(longReply.startsWith(heard)).toBe(true);
    expect(heard.length).toBeGreaterThan(0);
    // The media clock never credits the caller with audio Twilio did not receive (80 bytes a character here).
    expect(heard.length).toBeLessThanOrEqual(replyBytesAtClear / 80);
    expect(heard.length).toBeLessThan(longReply.length);
    // Paced: only a part of the synthesised reply had left when the caller spoke.
    expect(replyBytesAtClear).toBeLessThan(longReply.length * 80);

    call.sendDtmf('5');
    await call.waitFor(() => log.digits.length === 1);
    expect(log.digits).toEqual(['5']);

    call.stop();
    await expect(result).resolves.toEqual({ ended: 'stop' });
    expect(log.ended).toBe(1);
  });

  it('aborts the model when the caller speaks while the agent is still thinking, and answers the new utterance', async () => {
    const { turns, log } = scriptedTurns({ primeira: longReply, segunda: 'Certo.' });
    const { stt, call, result } = await startCall(turns);
    call.start();
    await greeted(call);

    stt.emit({ type: 'transcript', text: 'primeira', isFinal: true, endOfUtterance: true });
    await call.waitFor(() => log.utterances.length === 1);
    stt.emit({ type: 'transcript', text: 'segunda', isFinal: true, endOfUtterance: true });
    await call.waitFor(() => call.echoedMarks.some((mark) => mark === 'e:3'));

    expect(log.utterances).toEqual(['primeira', 'segunda']);
    expect(log.aborted).toContain('primeira');
    expect(log.interrupted).toEqual(['']);
    call.stop();
    await expect(result).resolves.toEqual({ ended: 'stop' });
  });

  it('ends the stream after the reply that handed the call to a person has played', async () => {
    const { turns, log } = scriptedTurns({ 'falar com alguém': 'Vou transferir.' }, { handoffAfter: 'falar com alguém' });
    const { stt, call, result } = await startCall(turns);
    call.start();
    await greeted(call);
    stt.emit({ type: 'transcript', text: 'falar com alguém', isFinal: true, endOfUtterance: true });

    await expect(result).resolves.toEqual({ ended: 'handoff', handoff: { reason: 'caller asked for a person' } });
    expect(await call.closed).toBe(1000);
    expect(call.echoedMarks).toContain('e:2');
    expect(log.ended).toBe(1);
  });

  it('still ends the call for the person when the caller interrupts the reply that handed it over', async () => {
    const { turns, log } = scriptedTurns({ atendente: longReply }, { handoffDuring: 'atendente' });
    const { stt, call, result } = await startCall(turns);
    call.start();
    await greeted(call);
    stt.emit({ type: 'transcript', text: 'atendente', isFinal: true, endOfUtterance: true });
    await call.waitFor(() => bytesOf(call) >= greeting.length * 80 + 800);
    stt.emit({ type: 'speech-started' });

    await expect(result).resolves.toEqual({ ended: 'handoff', handoff: { reason: 'transfer requested' } });
    expect(log.interrupted).toHaveLength(1);
    expect(await call.closed).toBe(1000);
  });

  it('reopens a speech stream that fails, and ends the call when it keeps failing', async () => {
    const { turns, log } = scriptedTurns({});
    const { stt, call, result } = await startCall(turns);
    call.start();
    await call.waitFor(() => stt.opened() === 1);
    stt.fail(new Error('deepgram closed the stream (code 1011)'));
    await call.waitFor(() => stt.opened() === 2);
    stt.fail(new Error('again'));
    await call.waitFor(() => stt.opened() === 3);
    stt.fail(new Error('and again'));
    await expect(result).resolves.toEqual({ ended: 'closed' });
    expect(log.ended).toBe(1);
  });
});
