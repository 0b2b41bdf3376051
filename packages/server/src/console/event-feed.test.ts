import { createDomainEvents } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { createDomainEventFeed, type TenantEvent } from './event-feed.js';

const at = new Date('2026-03-02T12:00:00Z');

describe('createDomainEventFeed', () => {
  it('delivers a tenant’s events to its subscribers only, and no process-wide event', () => {
    const events = createDomainEvents();
    const feed = createDomainEventFeed(events);
    const acme: TenantEvent[] = [];
    const globex: TenantEvent[] = [];
    feed.subscribe('acme', (event) => acme.push(event));
    feed.subscribe('globex', (event) => globex.push(event));
    events.emit('lead.created', { tenantId: 'acme', at, leadId: 'lead-a' });
    events.emit('stage.changed', { tenantId: 'globex', at, leadId: 'lead-g', from: 'new', to: 'won', source: 'operator' });
    events.emit('alert.raised', { tenantId: null, at, kind: 'dispatcher_silent', key: 'x', severity: 'critical', message: 'm' });
    expect(acme.map((event) => [event.name, event.data])).toEqual([['lead.created', { tenantId: 'acme', at, leadId: 'lead-a' }]]);
    expect(globex.map((event) => event.name)).toEqual(['stage.changed']);
    expect(acme[0]?.id).not.toBe(globex[0]?.id);
  });

  it('listens to the bus only while someone is subscribed, and unsubscribing twice is harmless', () => {
    const events = createDomainEvents();
    const feed = createDomainEventFeed(events);
    const first = feed.subscribe('acme', () => undefined);
    const second = feed.subscribe('acme', () => undefined);
    expect(events.listenerCount('lead.created')).toBe(1);
    first();
    first();
    expect(events.listenerCount('lead.created')).toBe(1);
    second();
    expect(events.eventNames()).toEqual([]);
  });
});
