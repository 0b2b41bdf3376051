import { describe, expect, it, vi } from 'vitest';
import { createDomainEvents, safeListener, type DomainEventMap } from './domain-events.js';

const at = new Date('2026-03-02T13:00:00Z');
const tenantId = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';

describe('createDomainEvents', () => {
  it('delivers typed payloads to the listeners of an event', () => {
    const events = createDomainEvents();
    const received: Array<DomainEventMap['stage.changed']> = [];
    events.on('stage.changed', (event) => {
      // the payload is typed: `from`/`to` are stages
      received.push(event);
    });
    const payload = { tenantId, at, leadId: 'l1', from: 'new', to: 'qualifying', source: 'automation' } as const;
    expect(events.emit('stage.changed', payload)).toBe(true);
    expect(received).toEqual([payload]);
  });

  it('does not deliver other events, and reports when nobody listened', () => {
    const events = createDomainEvents();
    const listener = vi.fn();
    events.on('lead.created', listener);
    expect(events.emit('lead.opted_out', { tenantId, at, leadId: 'l1' })).toBe(false);
    expect(listener).not.toHaveBeenCalled();
  });

  it('supports once and off', () => {
    const events = createDomainEvents();
    const once = vi.fn();
    const always = vi.fn();
    events.once('handoff.resumed', once);
    events.on('handoff.resumed', always);
    events.emit('handoff.resumed', { tenantId, at, leadId: 'l1' });
    events.emit('handoff.resumed', { tenantId, at, leadId: 'l1' });
    events.off('handoff.resumed', always);
    events.emit('handoff.resumed', { tenantId, at, leadId: 'l1' });
    expect(once).toHaveBeenCalledTimes(1);
    expect(always).toHaveBeenCalledTimes(2);
    expect(events.listenerCount('handoff.resumed')).toBe(0);
  });

  it('gives every bus its own listeners', () => {
    const first = createDomainEvents();
    const second = createDomainEvents();
    const listener = vi.fn();
    first.on('alert.raised', listener);
    second.emit('alert.raised', { tenantId: null, at, kind: 'stuck', key: '', severity: 'warning', message: 'stuck' });
    expect(listener).not.toHaveBeenCalled();
  });

  it('rejects wrong payloads at compile time', () => {
    const events = createDomainEvents();
    // @ts-expect-error — `to` must be a stage
    events.emit('stage.changed', { tenantId, at, leadId: 'l1', from: 'new', to: 'closed', source: 'crm' });
    // @ts-expect-error — `leadId` is required
    events.emit('lead.created', { tenantId, at });
    expect(events.eventNames()).toEqual([]);
  });
});

describe('safeListener', () => {
  const payload = { tenantId, at, leadId: 'l1', messageId: 'm1', channel: 'whatsapp' as const };

  it('passes the event through when the listener succeeds', async () => {
    const onError = vi.fn();
    const listener = vi.fn();
    const events = createDomainEvents();
    events.on('message.received', safeListener(listener, onError));
    events.emit('message.received', payload);
    await Promise.resolve();
    expect(listener).toHaveBeenCalledWith(payload);
    expect(onError).not.toHaveBeenCalled();
  });

  it('reports a synchronous throw instead of surfacing it in the emitter, and later listeners still run', () => {
    const events = createDomainEvents();
    const failure = new Error('bot crashed');
    const onError = vi.fn();
    const later = vi.fn();
    events.on(
      'message.received',
      safeListener(() => {
        throw failure;
      }, onError),
    );
    events.on('message.received', later);
    expect(() => events.emit('message.received', payload)).not.toThrow();
    expect(onError).toHaveBeenCalledWith(failure);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('reports an async rejection', async () => {
    const events = createDomainEvents();
    const failure = new Error('webhook down');
    let reported: unknown;
    const reportedOnce = new Promise<void>((resolve) => {
      events.on(
        'message.received',
        safeListener(
          async () => {
            await Promise.resolve();
            throw failure;
          },
          (error) => {
            reported = error;
            resolve();
          },
        ),
      );
    });
    expect(() => events.emit('message.received', payload)).not.toThrow();
    await reportedOnce;
    expect(reported).toBe(failure);
  });

  it('does not report an async listener that resolves', async () => {
    const onError = vi.fn();
    let done = false;
    const listener = safeListener<'message.received'>(async () => {
      await Promise.resolve();
      done = true;
    }, onError);
    listener(payload);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(done).toBe(true);
    expect(onError).not.toHaveBeenCalled();
  });
});
