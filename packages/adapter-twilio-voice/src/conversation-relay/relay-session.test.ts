import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { noopLogger } from '@sdr/core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { VoiceTurns } from '../voice-turns.js';
import { runConversationRelaySession, type RelaySessionResult } from './relay-session.js';

/** A conversation whose replies are released token by token by the test. */
function scriptedTurns() {
  const log: string[] = [];
  let release: (() => void) | null = null;
  const turns: VoiceTurns & { handoff: { reason: string } | undefined } = {
    handoff: undefined,
    greeting: () => Promise.resolve('Olá!'),
    async *reply(utterance, signal) {
      log.push(`user:${utterance}`);
      const words = utterance === 'long' ? ['one ', 'two ', 'three ', 'four'] : [`echo ${utterance}`];
      let said = '';
      for (const word of words) {
        if (utterance === 'long' && said !== '') await new Promise<void>((resolve) => (release = resolve));
        if (signal.aborted) {
          log.push(`aborted:${said}`);
          return;
        }
        said += word;
        yield word;
      }
      if (utterance === 'person') turns.handoff = { reason: 'asked for a person' };
      log.push(`agent:${said}`);
    },
    interrupted: (heard) => {
      log.push(`heard:${heard}`);
      return Promise.resolve();
    },
    dtmf: (digit) => {
      log.push(`dtmf:${digit}`);
      if (digit === '0') turns.handoff = { reason: 'pressed 0' };
      return Promise.resolve();
    },
    end: () => {
      log.push('end');
      return Promise.resolve();
    },
  };
  return { turns, log, next: () => release?.() };
}

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function call(turns: VoiceTurns) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(server);
  await once(server, 'listening');
  const session = new Promise<RelaySessionResult>((resolve) => {
    server.on('connection', (socket) => {
      void runConversationRelaySession({ socket, logger: noopLogger, open: () => Promise.resolve(turns) }).then(resolve);
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: { type: string; token?: string; last?: boolean; handoffData?: string }[] = [];
  const waiters: (() => void)[] = [];
  client.on('message', (data) => {
    received.push(JSON.parse((data as Buffer).toString('utf8')) as (typeof received)[number]);
    for (const wake of waiters.splice(0)) wake();
  });
  await once(client, 'open');
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const send = (frame: object) => client.send(JSON.stringify(frame));
  return { client, received, until, send, session };
}

const setup = { type: 'setup', sessionId: 'VX1', callSid: 'CA1', from: '+5511987654321', to: '+551130000000', customParameters: {} };

describe('runConversationRelaySession', () => {
  it('greets, streams a reply closed by a last token, ignores partial prompts, passes digits on', async () => {
    const { turns, log } = scriptedTurns();
    const phone = await call(turns);
    phone.send(setup);
    await phone.until(() => phone.received.length === 1);
    expect(phone.received[0]).toEqual({ type: 'text', token: 'Olá!', last: true });
    phone.send({ type: 'prompt', voicePrompt: 'partial', last: false });
    phone.send({ type: 'prompt', voicePrompt: 'hi', lang: 'pt-BR', last: true });
    await phone.until(() => phone.received.length === 3);
    expect(phone.received.slice(1)).toEqual([
      { type: 'text', token: 'echo hi', last: false },
      { type: 'text', token: '', last: true },
    ]);
    phone.send({ type: 'dtmf', digit: '5' });
    phone.send({ type: 'info', whatever: 1 });
    phone.client.close();
    expect(await phone.session).toEqual({ ended: 'closed', callSid: 'CA1' });
    expect(log).toEqual(['user:hi', 'agent:echo hi', 'dtmf:5', 'end']);
  });

  it('on interrupt stops the reply at once and cuts the turn to what was heard; the stale stream never speaks', async () => {
    const { turns, log, next } = scriptedTurns();
    const phone = await call(turns);
    phone.send(setup);
    phone.send({ type: 'prompt', voicePrompt: 'long', last: true });
    await phone.until(() => phone.received.some((frame) => frame.token === 'one '));
    phone.send({ type: 'interrupt', utteranceUntilInterrupt: 'one', durationUntilInterruptMs: '420' });
    // Let the model go on: its next token belongs to a stale generation.
    await new Promise((resolve) => setTimeout(resolve, 30));
    next();
    phone.send({ type: 'prompt', voicePrompt: 'again', last: true });
    await phone.until(() => phone.received.some((frame) => frame.token === 'echo again'));
    await phone.until(() => phone.received.at(-1)?.last === true);
    phone.client.close();
    await phone.session;
    const tokens = phone.received.map((frame) => frame.token);
    expect(tokens).toEqual(['Olá!', 'one ', 'echo again', '']);
    expect(log).toEqual(['user:long', 'aborted:one ', 'heard:one', 'user:again', 'agent:echo again', 'end']);
  });

  it('a newer prompt silences the older reply before it is answered', async () => {
    const { turns, log, next } = scriptedTurns();
    const phone = await call(turns);
    phone.send(setup);
    phone.send({ type: 'prompt', voicePrompt: 'long', last: true });
    await phone.until(() => phone.received.some((frame) => frame.token === 'one '));
    phone.send({ type: 'prompt', voicePrompt: 'b', last: true });
    await new Promise((resolve) => setTimeout(resolve, 30));
    next();
    await phone.until(() => phone.received.some((frame) => frame.token === 'echo b'));
    await phone.until(() => phone.received.at(-1)?.last === true);
    phone.client.close();
    await phone.session;
    expect(phone.received.map((frame) => frame.token)).toEqual(['Olá!', 'one ', 'echo b', '']);
    expect(log).toContain('aborted:one ');
  });

  it('hands off with end and handoffData (a JSON string) after the reply’s last token', async () => {
    const { turns } = scriptedTurns();
    const phone = await call(turns);
    phone.send(setup);
    phone.send({ type: 'prompt', voicePrompt: 'person', last: true });
    await phone.until(() => phone.received.some((frame) => frame.type === 'end'));
    expect(phone.received.slice(-3)).toEqual([
      { type: 'text', token: 'echo person', last: false },
      { type: 'text', token: '', last: true },
      { type: 'end', handoffData: JSON.stringify({ reason: 'asked for a person' }) },
    ]);
    phone.client.close();
    expect(await phone.session).toEqual({ ended: 'handoff', handoff: { reason: 'asked for a person' }, callSid: 'CA1' });
  });

  it('ends the call when a keypad digit hands it over', async () => {
    const { turns } = scriptedTurns();
    const phone = await call(turns);
    phone.send(setup);
    phone.send({ type: 'dtmf', digit: '0' });
    await phone.until(() => phone.received.some((frame) => frame.type === 'end'));
    expect(phone.received.at(-1)).toEqual({ type: 'end', handoffData: JSON.stringify({ reason: 'pressed 0' }) });
    phone.client.close();
    expect(await phone.session).toEqual({ ended: 'handoff', handoff: { reason: 'pressed 0' }, callSid: 'CA1' });
  });

  it('survives frames that are not JSON or lack fields', async () => {
    const { turns, log } = scriptedTurns();
    const phone = await call(turns);
    phone.client.send('not json');
    phone.send({ type: 'prompt' });
    phone.send(setup);
    phone.send({ type: 'prompt', voicePrompt: 'ok', last: true });
    await phone.until(() => phone.received.at(-1)?.last === true && phone.received.length === 3);
    phone.client.close();
    await phone.session;
    expect(log).toEqual(['user:ok', 'agent:echo ok', 'end']);
  });
});
