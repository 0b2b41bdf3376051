import { PhoneNumber, ProviderError, RecipientUnreachableError, type Clock } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { rejection, requestsTo, useFakeEvolution } from './__fixtures__/msw-evolution.js';
import { createEvolutionClient } from './evolution-client.js';
import { createNumberDirectory, type NumberCheckOptions } from './evolution-number-check.js';

const fake = useFakeEvolution({ instances: ['acme'] });
const ana = PhoneNumber.parse('+55 11 98765-4321');
const bob = PhoneNumber.parse('+1 212 555 0123');

function directory(options: NumberCheckOptions = {}) {
  let now = Date.parse('2026-03-02T13:00:00Z');
  const clock: Clock = { contractVersion: 'v1', now: () => new Date(now), sleep: () => Promise.resolve() };
  const paced: string[] = [];
  const numbers = createNumberDirectory({
    client: createEvolutionClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey }),
    instance: 'acme',
    clock,
    options,
    beforeRequest: () => {
      paced.push('check');
      return Promise.resolve();
    },
  });
  return { numbers, paced, advance: (ms: number) => (now += ms) };
}

describe('the number check cache', () => {
  it('asks again once a positive answer is older than its TTL, and paces each check', async () => {
    const { numbers, paced, advance } = directory({ positiveTtlMs: 60_000 });
    expect(await numbers.resolve(ana)).toEqual({ jid: '5511987654321@s.whatsapp.net', number: '5511987654321' });
    advance(59_000);
    await numbers.resolve(ana);
    expect(requestsTo(fake, 'whatsappNumbers')).toHaveLength(1);
    advance(2_000);
    await numbers.resolve(ana);
    expect(requestsTo(fake, 'whatsappNumbers')).toHaveLength(2);
    expect(paced).toEqual(['check', 'check']);
  });

  it('keeps a negative answer for its shorter TTL, then learns the number joined WhatsApp', async () => {
    const { numbers, advance } = directory({ negativeTtlMs: 10_000 });
    fake.markNotOnWhatsApp(bob);
    expect(RecipientUnreachableError.isInstance(await rejection(numbers.resolve(bob)))).toBe(true);
    fake.reset();
    advance(5_000);
    expect(RecipientUnreachableError.isInstance(await rejection(numbers.resolve(bob)))).toBe(true);
    advance(6_000);
    expect(await numbers.resolve(bob)).toEqual({ jid: '12125550123@s.whatsapp.net', number: '12125550123' });
  });

  it('forgets the least recently used number beyond maxEntries', async () => {
    const { numbers } = directory({ maxEntries: 1 });
    await numbers.resolve(ana);
    await numbers.resolve(bob);
    await numbers.resolve(ana);
    expect(requestsTo(fake, 'whatsappNumbers').map((request) => request.body)).toEqual([
      { numbers: ['5511987654321'] },
      { numbers: ['12125550123'] },
      { numbers: ['5511987654321'] },
    ]);
  });

  it('shares one check between concurrent first sends to a number', async () => {
    const { numbers } = directory();
    const answers = await Promise.all([numbers.resolve(ana), numbers.resolve(ana), numbers.resolve(ana)]);
    expect(new Set(answers.map((answer) => answer.jid)).size).toBe(1);
    expect(requestsTo(fake, 'whatsappNumbers')).toHaveLength(1);
  });

  it('refuses an answer naming another number, and an empty answer', async () => {
    const { numbers } = directory();
    fake.failNext('whatsappNumbers', {
      kind: 'respond',
      status: 200,
      body: [{ exists: true, jid: '5521998765432@s.whatsapp.net', number: '5511987654321' }],
    });
    const other = await rejection(numbers.resolve(ana));
    expect(ProviderError.isInstance(other) && other.retryable).toBe(false);
    fake.failNext('whatsappNumbers', { kind: 'respond', status: 200, body: [] });
    const empty = await rejection(numbers.resolve(ana));
    expect(ProviderError.isInstance(empty) && empty.retryable).toBe(true);
  });

  it('sends to an @lid id as the whole JID', async () => {
    const { numbers } = directory();
    fake.failNext('whatsappNumbers', {
      kind: 'respond',
      status: 200,
      body: [{ exists: true, jid: '98765432109876@lid', number: '5511987654321' }],
    });
    expect(await numbers.resolve(ana)).toEqual({ jid: '98765432109876@lid', number: '98765432109876@lid' });
  });
});
