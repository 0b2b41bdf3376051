import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderError, ProviderUnavailableError, RateLimitedError, ValidationError } from '../../errors/index.js';
import { dispatchHarness, minute, second, stubHandler } from './__fixtures__/dispatch-harness.js';

const unavailable = () => new ProviderUnavailableError({ provider: 'in-memory', operation: 'sendText', message: 'timeout' });

describe('dispatcher: failures', () => {
  it('retries transient failures with growing delays, then sends once', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 4, unavailable);

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const report = await dispatcher.runOnce();
      expect(report).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
      const stored = await h.row(message.id);
      expect(stored).toMatchObject({ status: 'pending', attempts: attempt, lastError: { code: 'provider_unavailable', transient: true } });
      delays.push(stored.dueAt.getTime() - h.clock.now().getTime());
      await h.clock.set(stored.dueAt);
    }
    // random() fixed at 1: full jitter reaches the ceiling, 30 s doubling per attempt.
    expect(delays).toEqual([30 * second, 60 * second, 120 * second, 240 * second]);

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await h.row(message.id)).toMatchObject({ status: 'sent', attempts: 4 });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(5);
    expect(h.channel.sent).toHaveLength(1);
    expect(h.eventsNamed('scheduled.failed').map((event) => event.final)).toEqual([false, false, false, false]);
    expect(h.eventsNamed('scheduled.sent')).toHaveLength(1);
  });

  it('fails for good after the maximum number of attempts, and tells the handler', async () => {
    const h = await dispatchHarness({
      dispatcher: { retryPolicy: { maxAttempts: 3, baseDelayMs: second, maxDelayMs: minute, factor: 2 } },
    });
    const dispatcher = h.make();
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 3, unavailable);

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await h.clock.set((await h.row(message.id)).dueAt);
      await dispatcher.runOnce();
    }
    const stored = await h.row(message.id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 3, lastError: { code: 'provider_unavailable', transient: true } });
    expect(h.eventsNamed('scheduled.failed').map((event) => event.final)).toEqual([false, false, true]);
    expect(h.handler.settled).toHaveLength(1);
    expect(h.handler.settled[0]?.outcome).toMatchObject({ status: 'failed', error: { code: 'provider_unavailable' } });
    expect(h.handler.settled[0]?.message).toMatchObject({ id: message.id, status: 'failed', attempts: 3 });
    // Failed rows are never claimed again.
    await h.clock.advance(24 * 60 * minute);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
  });

  it('honours Retry-After: never retries sooner than the provider asked', async () => {
    const h = await dispatchHarness({ dispatcher: { random: () => 0 } });
    const dispatcher = h.make();
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 1, () => new RateLimitedError('slow down', { retryAfterMs: 10 * minute }));

    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    const stored = await h.row(message.id);
    expect(stored.dueAt.getTime() - h.clock.now().getTime()).toBe(10 * minute);
    expect(stored.lastError).toMatchObject({ code: 'rate_limited', transient: true });
  });

  it('keeps the longer backoff when Retry-After is shorter', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 1, () => new RateLimitedError('slow down', { retryAfterMs: second }));

    await dispatcher.runOnce();
    expect((await h.row(message.id)).dueAt.getTime() - h.clock.now().getTime()).toBe(30 * second);
  });

  it('fails a permanent failure at once, after one attempt, with the error stored redacted', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const message = await h.schedule({ payload: { to: '+5511987654321' } });
    h.channel.markNotOnWhatsApp('+5511987654321');

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, failed: 1, retried: 0 });
    const stored = await h.row(message.id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'recipient_unreachable', transient: false } });
    expect(stored.lastError?.message).toContain('not on WhatsApp');
    expect(stored.lastError?.message).not.toContain('987654321');
    expect(h.messaging.faults.calls('sendText')).toHaveLength(1);
    expect(h.eventsNamed('scheduled.failed')).toEqual([expect.objectContaining({ scheduledMessageId: message.id, final: true })]);
    expect(h.handler.settled.map((call) => call.outcome.status)).toEqual(['failed']);
  });

  it('fails at once on a 4xx provider error and retries a 5xx one', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const rejected = await h.schedule({ payload: { instance: 'a' } });
    h.messaging.faults.failNext(
      'sendText',
      1,
      () => new ProviderError({ provider: 'evolution', operation: 'sendText', message: 'bad', status: 400 }),
    );
    await dispatcher.runOnce();
    expect(await h.row(rejected.id)).toMatchObject({ status: 'failed', attempts: 1 });

    const flaky = await h.schedule({ payload: { instance: 'a' } });
    h.messaging.faults.failNext(
      'sendText',
      1,
      () => new ProviderError({ provider: 'evolution', operation: 'sendText', message: 'oops', status: 503 }),
    );
    await dispatcher.runOnce();
    expect(await h.row(flaky.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: { transient: true } });
  });

  it('treats errors thrown by prepare like send failures, and foreign errors as transient', async () => {
    const handler = stubHandler(['reengage_1'], {
      prepare: (message) => {
        if (message.payload['text'] === 'bug') throw new TypeError('cannot read properties of undefined');
        throw ValidationError.forField('lead', 'is gone');
      },
    });
    const h = await dispatchHarness({ handlers: [handler] });
    const dispatcher = h.make();
    const bug = await h.schedule({ payload: { text: 'bug' } });
    const invalid = await h.schedule();

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, retried: 1, failed: 1 });
    expect(await h.row(bug.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'unknown', transient: true } });
    expect(await h.row(invalid.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'validation_failed' } });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(0);
  });

  it('fails a message whose tenant does not exist, with code tenant_missing', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const orphan = await h.schedule({ tenantId: crypto.randomUUID() });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await h.row(orphan.id, orphan.tenantId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: { code: 'tenant_missing', transient: false },
    });
    expect(h.handler.prepared).toHaveLength(0);
    expect(h.handler.settled).toHaveLength(0);
  });

  it('never sends a row twice nor exceeds the maximum attempts, whatever the failures', async () => {
    const failure = fc.constantFrom('ok', 'transient', 'rate_limited', 'permanent', 'lost_response');
    await fc.assert(
      fc.asyncProperty(fc.array(failure, { minLength: 1, maxLength: 7 }), async (script) => {
        const h = await dispatchHarness();
        const dispatcher = h.make();
        const message = await h.schedule();
        for (const step of script) {
          if (step === 'transient') h.messaging.faults.failNext('sendText', 1, unavailable);
          if (step === 'rate_limited')
            h.messaging.faults.failNext('sendText', 1, () => new RateLimitedError('busy', { retryAfterMs: minute }));
          if (step === 'permanent') h.messaging.faults.failNext('sendText', 1, () => ValidationError.forField('to', 'not on WhatsApp'));
          // Sent, but the answer is lost: retried with the same idempotency key.
          if (step === 'lost_response') h.messaging.faults.succeedButTimeout('sendText', 1);
          if (step === 'ok') break;
        }
        for (let pass = 0; pass < 10; pass += 1) {
          const stored = await h.row(message.id);
          if (stored.status !== 'pending') break;
          await h.clock.set(stored.dueAt);
          await dispatcher.runOnce();
        }
        const final = await h.row(message.id);
        expect(['sent', 'failed']).toContain(final.status);
        expect(final.attempts).toBeLessThanOrEqual(5);
        expect(h.channel.sent.length).toBeLessThanOrEqual(1);
        const keys = h.messaging.faults.calls('sendText').map((call) => (call.args[0] as { idempotencyKey: string }).idempotencyKey);
        expect(new Set(keys)).toEqual(new Set([message.id]));
        expect(h.handler.settled).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });
});
