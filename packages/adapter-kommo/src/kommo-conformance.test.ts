/**
 * The testkit's `CrmPort` suite over a stateful Kommo: the fake behind msw, on the wire, the port
 * pacing itself through an in-memory rate limiter on a virtual clock. The side door is the fake's
 * own state and request log.
 */
import { VirtualClock } from '@sdr/core';
import { createInMemoryRateLimiter } from '@sdr/core/testing';
import { runCrmConformance, type CrmSubject } from '@sdr/testkit';
import { useFakeKommo } from './__fixtures__/msw-kommo.js';
import { createKommoCrm } from './kommo-crm.js';
import { noteKeyOf } from './map-kommo-lead.js';

const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
const fake = useFakeKommo({ clock });

runCrmConformance<CrmSubject>({
  name: 'kommo (stateful fake on msw, pacing itself on a virtual clock)',
  create: () => {
    const rateLimiter = createInMemoryRateLimiter({ clock });
    const crm = createKommoCrm({
      subdomain: 'acme',
      baseUrl: fake.baseUrl,
      auth: { type: 'long_lived', token: fake.token },
      rateLimiter,
      clock,
      requestTimeoutMs: 5_000,
    });
    return {
      crm,
      clock,
      customFieldIds: ['800001', '800002'],
      pacing: { rateLimiter, key: crm.rateLimitKey },
    };
  },
  inspect: {
    notes: (_subject, leadId) =>
      Promise.resolve(
        fake.notes.filter((note) => String(note.entity_id) === leadId).map((note) => ({ idempotencyKey: noteKeyOf(note.text) })),
      ),
    requestCount: () => Promise.resolve(fake.requests.length),
    requestTimes: () => Promise.resolve(fake.requests.map((request) => request.at)),
  },
});
