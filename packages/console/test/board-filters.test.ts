import { describe, expect, it } from 'vitest';
import type { Channel, Lead } from '../src/api/client.js';
import { filterLeads, noFilters } from '../src/views/board/board-filters.js';

function lead(id: string, fields: Partial<Pick<Lead, 'automation' | 'optedOut'>> = {}): Lead {
  return {
    id,
    phone: '+5511987654321',
    whatsappLid: null,
    name: id,
    email: null,
    stage: 'new',
    fields: {},
    tags: [],
    automation: fields.automation ?? 'active',
    optedOut: fields.optedOut ?? false,
    optedOutAt: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    crmLeadId: null,
    crmContactId: null,
    createdAt: '2026-03-02T12:00:00.000Z',
    updatedAt: '2026-03-02T12:00:00.000Z',
    version: 0,
  };
}

const leads = [lead('ana'), lead('bruno', { automation: 'paused_handoff' }), lead('carla', { optedOut: true, automation: 'stopped' })];
const channels = new Map<string, ReadonlySet<Channel>>([
  ['ana', new Set<Channel>(['whatsapp'])],
  ['bruno', new Set<Channel>(['voice', 'whatsapp'])],
]);
const names = (found: Lead[]) => found.map((item) => item.id);

describe('filterLeads', () => {
  it('keeps every lead without filters', () => {
    expect(names(filterLeads(leads, noFilters, channels))).toEqual(['ana', 'bruno', 'carla']);
  });

  it('filters by automation state and by opt-out', () => {
    expect(names(filterLeads(leads, { ...noFilters, automation: 'paused_handoff' }, channels))).toEqual(['bruno']);
    expect(names(filterLeads(leads, { ...noFilters, optedOut: 'yes' }, channels))).toEqual(['carla']);
    expect(names(filterLeads(leads, { ...noFilters, optedOut: 'no' }, channels))).toEqual(['ana', 'bruno']);
    expect(names(filterLeads(leads, { automation: 'active', optedOut: 'yes', channel: 'all' }, channels))).toEqual([]);
  });

  it('filters by the channels a lead talked on, keeping leads whose channels are not known yet', () => {
    expect(names(filterLeads(leads, { ...noFilters, channel: 'voice' }, channels))).toEqual(['bruno', 'carla']);
    expect(names(filterLeads(leads, { ...noFilters, channel: 'sms' }, new Map([...channels, ['carla', new Set<Channel>()]])))).toEqual([]);
  });
});
