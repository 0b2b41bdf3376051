/**
 * CRM tests of the call options and the pacing clause: an aborted call rejects with an
 * `AbortedError` and writes nothing; an implementation paces every request with the
 * `RateLimiter` it was created with, and a wait on it gives way to an abort.
 */
import { randomUUID } from 'node:crypto';
import { pacingRule, type RateRule } from '@sdr/core';
import { describe, expect, it, type TestContext } from 'vitest';
import type { CrmConformanceOptions, CrmSetup, CrmSubject, CrmWorld } from './crm-context.js';
import { buildPhoneNumber } from './fixtures.js';
import { abortedCall, expectAborted, sideDoorCheck, skipReason, yieldToEventLoop } from './harness.js';

export function registerCrmCallTests<Subject extends CrmSubject>(setup: CrmSetup<Subject>, options: CrmConformanceOptions<Subject>): void {
  describe('call options', () => {
    it(
      'a call whose signal has already aborted rejects with an AbortedError and sends or writes nothing',
      async (context) => {
        const world = await setup();
        const lead = await world.newLead();
        const count = options.inspect?.requestCount?.bind(options.inspect);
        const before = count === undefined ? 0 : await count(world.subject);
        const phone = buildPhoneNumber();
        const key = `note-${randomUUID()}`;
        const { raw } = world;
        await expectAborted(raw.upsertLeads([{ phone, name: 'Aborted Lead' }], abortedCall()));
        await expectAborted(raw.upsertContacts([{ phone, name: 'Aborted Contact' }], abortedCall()));
        await expectAborted(raw.updateLeads([{ leadId: lead.leadId, tagsToAdd: ['aborted'] }], abortedCall()));
        await expectAborted(raw.addNotes([{ leadId: lead.leadId, text: 'Aborted note', idempotencyKey: key }], abortedCall()));
        await expectAborted(raw.getLeads([lead.leadId], abortedCall()));
        await expectAborted(raw.findLeadByPhone(phone, abortedCall()));
        await expectAborted(raw.findContactByPhone(phone, abortedCall()));
        await expectAborted(raw.listPipelines(abortedCall()));
        await expectAborted(raw.health(abortedCall()));
        await sideDoorCheck(context, count, 'no request sent for an aborted call', async (requestCount) => {
          expect((await requestCount(world.subject)) - before).toBe(0);
        });
        expect(await world.crm.findLeadByPhone(phone)).toBeNull();
        expect(await world.crm.findContactByPhone(phone)).toBeNull();
        const after = await world.read(lead.leadId);
        expect(after.tags).not.toContain('aborted');
        expect(after.noteKeys).not.toContain(key);
      },
      options.timeoutMs,
    );
  });

  describe('pacing', () => {
    it(
      'every request waits for a token of the account’s bucket in the limiter the CRM was created with',
      async (context) => {
        const world = await setup();
        const pacing = paced(world, context);
        const lead = await world.newLead();
        await drain(pacing);
        let settled = false;
        const call = world.raw.updateLeads([{ leadId: lead.leadId, tagsToAdd: ['paced'] }]).finally(() => {
          settled = true;
        });
        await yieldToEventLoop();
        // The bucket is empty: the call waits on the limiter instead of sending.
        expect(settled).toBe(false);
        await world.time.settle(call);
        expect((await world.read(lead.leadId)).tags).toContain('paced');
      },
      options.timeoutMs,
    );

    it(
      'an abort while a call waits on the limiter rejects it with an AbortedError, and the write is not sent',
      async (context) => {
        const world = await setup();
        const pacing = paced(world, context);
        const lead = await world.newLead();
        const count = options.inspect?.requestCount?.bind(options.inspect);
        await drain(pacing);
        const before = count === undefined ? 0 : await count(world.subject);
        const controller = new AbortController();
        const call = world.raw.updateLeads([{ leadId: lead.leadId, tagsToAdd: ['never'] }], { signal: controller.signal });
        const outcome = call.then(
          () => 'resolved',
          (error: unknown) => error,
        );
        await yieldToEventLoop();
        controller.abort(new Error('stopped by the conformance suite'));
        await expectAborted(call);
        expect(await outcome).not.toBe('resolved');
        await sideDoorCheck(context, count, 'no request sent by the aborted call', async (requestCount) => {
          expect((await requestCount(world.subject)) - before).toBe(0);
        });
        expect((await world.read(lead.leadId)).tags).not.toContain('never');
      },
      options.timeoutMs,
    );

    it(
      'many calls at once never put more requests in one second than the paced rate (inspect.requestTimes)',
      async (context) => {
        const world = await setup();
        const pacing = paced(world, context);
        const times = options.inspect?.requestTimes?.bind(options.inspect);
        if (times === undefined) return context.skip(skipReason('the sliding-window check', 'no inspect.requestTimes side door'));
        const before = (await times(world.subject)).length;
        const rate = pacing.rule.ratePerSecond;
        await world.time.settle(Promise.all(Array.from({ length: Math.ceil(rate) * 2 + 1 }, () => world.raw.listPipelines())));
        const sent = (await times(world.subject)).slice(before).map((at) => at.getTime());
        expect(sent.length).toBe(Math.ceil(rate) * 2 + 1);
        expect(busiestSecond(sent)).toBeLessThanOrEqual(Math.floor(rate));
      },
      options.timeoutMs,
    );
  });
}

interface Pacing {
  readonly subject: NonNullable<CrmSubject['pacing']>;
  readonly rule: RateRule;
}

/** The subject's pacing with the bucket rule it implies; skips the test when the subject declares none. */
function paced<Subject extends CrmSubject>(world: CrmWorld<Subject>, context: TestContext): Pacing {
  const pacing = world.subject.pacing;
  if (pacing === undefined) {
    return context.skip(skipReason('the pacing check', 'the subject declares no pacing (the CRM was created without a rate limiter)'));
  }
  const rate = Math.min(pacing.requestsPerSecond ?? world.capabilities.requestsPerSecond, world.capabilities.requestsPerSecond);
  return { subject: pacing, rule: pacingRule(rate) };
}

/** Takes every token of the account's bucket, so the next request must wait for a refill. */
async function drain(pacing: Pacing): Promise<void> {
  for (let taken = 0; taken < 1000; taken += 1) {
    const decision = await pacing.subject.rateLimiter.consume(pacing.subject.key, pacing.rule);
    if (!decision.allowed) return;
  }
  throw new Error(`the bucket ${pacing.subject.key} never ran dry: is it the key the CRM paces with?`);
}

/** Most instants (epoch ms) within any one-second window `[t, t + 1000)`. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= 1000) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}
