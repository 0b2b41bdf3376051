/**
 * The fake Kommo behind a real loopback HTTP server (what the bench uses): the CRM works over real
 * sockets, a connection destroyed after the request was read is unavailable (retryable), and the
 * fake's 7-per-second limit answers an HTML 429.
 */
import { PhoneNumber, ProviderUnavailableError, RateLimitedError } from '@sdr/core';
import { afterEach, describe, expect, it } from 'vitest';
import { crmOn, rejection } from './__fixtures__/msw-kommo.js';
import { createFakeKommo, startFakeKommoServer, type FakeKommoServer } from './testing/index.js';

let server: FakeKommoServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('over a real HTTP server', () => {
  it('creates, reads back and notes a lead; a destroyed connection is a retryable unavailability', async () => {
    const fake = createFakeKommo();
    server = await startFakeKommoServer(fake);
    const crm = crmOn({ ...fake, baseUrl: server.baseUrl });
    const [created] = await crm.upsertLeads([{ phone: PhoneNumber.parse('+5511987654321'), name: 'Ana', tags: ['sdr'] }]);
    const leadId = created?.lead.leadId ?? '';
    await crm.addNotes([{ leadId, text: 'Olá', idempotencyKey: 'real-1' }]);
    expect(await crm.getLeads([leadId])).toMatchObject([{ leadId, name: 'Ana', tags: ['sdr'], noteKeys: ['real-1'] }]);
    fake.failNext('pipelines.list', { kind: 'network' });
    expect(ProviderUnavailableError.isInstance(await rejection(crm.listPipelines()))).toBe(true);
  });

  it('more than 7 requests in a second get an HTML 429, read as RateLimitedError of at least 1 s', async () => {
    const fake = createFakeKommo({ rateLimitPerSecond: 7 });
    server = await startFakeKommoServer(fake);
    const crm = crmOn({ ...fake, baseUrl: server.baseUrl });
    const outcomes = await Promise.allSettled(Array.from({ length: 9 }, () => crm.listPipelines()));
    const limited = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((error) => RateLimitedError.isInstance(error) && (error.retryAfterMs ?? 0) >= 1000)).toBe(true);
  });
});
