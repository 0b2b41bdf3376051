import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../ports/logger/logger.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import { createInMemoryStore } from '../../memory/store/in-memory-store.js';
import { addTransactionalSink, commitWithEvents, deferred, emitCommitted, type DeferredEvent } from './after-commit.js';
import { createDomainEvents } from './domain-events.js';

const at = new Date('2026-03-02T13:00:00Z');
const tenantId = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';
const leadId = '7d1f3a2b-4c5e-4f60-8a7b-9c0d1e2f3a4b';

function recordingLogger(): Logger & { readonly errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  const ignore = () => undefined;
  return { errors, debug: ignore, info: ignore, warn: ignore, error: (fields) => void errors.push(fields) };
}

/** A change (an open alert) and, through the sink, one outbox row per event, in the same transaction. */
async function raiseAlert(tx: Repositories): Promise<{ readonly events: readonly DeferredEvent[] }> {
  await tx.alerts.raise({ tenantId, kind: 'test', key: 'k', severity: 'warning', message: 'raised', details: {}, now: at });
  return { events: [deferred('lead.created', { tenantId, at, leadId }), deferred('lead.opted_out', { tenantId, at, leadId })] };
}

const outboxSink = async (tx: Repositories, events: readonly DeferredEvent[]) => {
  for (const { name } of events) {
    await tx.outbox.append({ tenantId, topic: 'crm', aggregateType: 'lead', aggregateId: leadId, type: name });
  }
};

describe('commitWithEvents', () => {
  it('lets a transactional sink write in the transaction of the change, then tells the listeners', async () => {
    const store = createInMemoryStore();
    const events = createDomainEvents();
    addTransactionalSink(events, outboxSink);
    const heard: string[] = [];
    events.on('lead.created', () => void heard.push('lead.created'));
    events.on('lead.opted_out', () => void heard.push('lead.opted_out'));

    await commitWithEvents({ store, events }, raiseAlert);

    const rows = await store.outbox.list({ tenantId, topic: 'crm' });
    expect(rows.map((row) => row.type)).toEqual(['lead.created', 'lead.opted_out']);
    expect(heard).toEqual(['lead.created', 'lead.opted_out']);
  });

  it('rolls the change back with its rows when a sink fails, and tells nobody', async () => {
    const store = createInMemoryStore();
    const events = createDomainEvents();
    addTransactionalSink(events, outboxSink);
    addTransactionalSink(events, () => Promise.reject(new Error('outbox full')));
    const listener = vi.fn();
    events.on('lead.created', listener);

    await expect(commitWithEvents({ store, events }, raiseAlert)).rejects.toThrow('outbox full');

    expect(await store.alerts.listOpen({ tenantId })).toEqual([]);
    expect(await store.outbox.list({ tenantId, topic: 'crm' })).toEqual([]);
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops calling a sink once it is removed', async () => {
    const store = createInMemoryStore();
    const events = createDomainEvents();
    const remove = addTransactionalSink(events, outboxSink);
    remove();
    await commitWithEvents({ store, events }, raiseAlert);
    expect(await store.outbox.list({ tenantId, topic: 'crm' })).toEqual([]);
  });
});

describe('emitCommitted', () => {
  it('logs a throwing listener and still emits the next events: the caller never sees the exception', () => {
    const events = createDomainEvents();
    const logger = recordingLogger();
    events.on('lead.created', () => {
      throw new Error('listener broke');
    });
    const optedOut = vi.fn();
    events.on('lead.opted_out', optedOut);

    expect(() =>
      emitCommitted({ events, logger }, [
        deferred('lead.created', { tenantId, at, leadId }),
        deferred('lead.opted_out', { tenantId, at, leadId }),
      ]),
    ).not.toThrow();

    expect(optedOut).toHaveBeenCalledTimes(1);
    expect(logger.errors).toEqual([{ event: 'lead.created', error: 'Error: listener broke' }]);
  });

  it('does nothing without a bus', () => {
    expect(() => emitCommitted({}, [deferred('lead.created', { tenantId, at, leadId })])).not.toThrow();
  });
});
