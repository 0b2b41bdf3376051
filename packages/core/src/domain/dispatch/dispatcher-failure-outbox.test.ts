/**
 * A dispatcher's failure is a unit of work: the row marked failed and what the transactional
 * sinks write for `scheduled.failed` (the `message.failed` webhook delivery) commit together.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { addTransactionalSink, type DeferredEvent } from '../events/after-commit.js';
import { dispatchHarness } from './__fixtures__/dispatch-harness.js';

describe('dispatcher: a failure and its outbox row', () => {
  it('writes scheduled.failed through the sinks inside the transaction that marks the row failed', async () => {
    const h = await dispatchHarness();
    const seenInside: { names: string[]; status: string | undefined }[] = [];
    addTransactionalSink(h.events, async (tx, events: readonly DeferredEvent[]) => {
      const failed = events.find((event) => event.name === 'scheduled.failed');
      const id = failed?.name === 'scheduled.failed' ? failed.event.scheduledMessageId : '';
      seenInside.push({ names: events.map((event) => event.name), status: (await tx.scheduledMessages.get(h.tenant.id, id))?.status });
    });
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 1, () => ValidationError.forField('to', 'is not a WhatsApp number'));

    await h.make().runOnce();

    // Inside the transaction the row is already failed: the sink's row commits with it.
    expect(seenInside).toEqual([{ names: ['scheduled.failed'], status: 'failed' }]);
    expect(await h.row(message.id)).toMatchObject({ status: 'failed' });
    expect(h.eventsNamed('scheduled.failed')).toMatchObject([{ scheduledMessageId: message.id, final: true }]);
  });

  it('a sink that fails rolls the failure back: no failed row without its delivery, and nothing emitted', async () => {
    const h = await dispatchHarness();
    addTransactionalSink(h.events, () => Promise.reject(new Error('outbox unavailable')));
    const message = await h.schedule();
    h.messaging.faults.failNext('sendText', 1, () => ValidationError.forField('to', 'is not a WhatsApp number'));

    await h.make().runOnce();

    expect((await h.row(message.id)).status).not.toBe('failed');
    expect(h.eventsNamed('scheduled.failed')).toEqual([]);
  });
});
