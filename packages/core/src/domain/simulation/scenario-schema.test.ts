import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { parseScenario } from './scenario-schema.js';

const base = {
  tenant: { timeZone: 'America/Sao_Paulo' },
  lead: { phone: '(11) 98765-4321' },
  start: '2026-03-02T13:00:00Z',
  until: '+2d',
  events: [] as unknown[],
};

function fieldsOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.fieldErrors.map((fieldError) => fieldError.field);
    throw error;
  }
  return [];
}

describe('parseScenario', () => {
  it('fills in the tenant defaults and parses the phone with the tenant’s country', () => {
    const scenario = parseScenario(base);
    expect(scenario.tenant).toMatchObject({ locale: 'pt-BR', businessHours: null, quietHours: null, followUp: { firstAfter: 1_800_000 } });
    expect(scenario.lead).toEqual({ name: null, phone: expect.objectContaining({ e164: '+5511987654321' }) });
    expect(scenario.until).toEqual(new Date('2026-03-04T13:00:00Z'));
  });

  it('resolves relative and absolute times and sorts events by time, keeping the written order of ties', () => {
    const scenario = parseScenario({
      ...base,
      events: [
        { at: '+1h30m', type: 'inbound', text: 'b' },
        { at: '2026-03-02T13:30:00-03:00', type: 'outbound', text: 'a' },
        { at: '+1h30m', type: 'optout' },
        { at: '+5m', type: 'book', start: '+1d', durationMinutes: 45 },
      ],
    });
    expect(scenario.events.map((event) => [event.type, event.at.toISOString(), event.index])).toEqual([
      ['book', '2026-03-02T13:05:00.000Z', 3],
      ['inbound', '2026-03-02T14:30:00.000Z', 0],
      ['optout', '2026-03-02T14:30:00.000Z', 2],
      ['outbound', '2026-03-02T16:30:00.000Z', 1],
    ]);
    expect(scenario.events[0]).toMatchObject({ start: new Date('2026-03-03T13:00:00Z'), durationMinutes: 45 });
    expect(scenario.events[0]?.input).toEqual({ at: '+5m', type: 'book', start: '+1d', durationMinutes: 45 });
  });

  it.each([
    [{ ...base, start: '2026-03-02T13:00:00' }, ['start']],
    [{ ...base, until: '+400d' }, ['until']],
    [{ ...base, until: 'tomorrow' }, ['until']],
    [{ ...base, lead: { phone: '+55 11 98765-4321', age: 3 } }, ['lead.age']],
    [{ ...base, tenant: { timeZone: 'America/Sao_Paulo', quietHours: ['22h', '08:00'] } }, ['tenant.quietHours.0']],
    [{ ...base, tenant: { timeZone: 'America/Sao_Paulo', followUp: { firstAfter: 'soon' } } }, ['tenant.followUp.firstAfter']],
    [{ ...base, events: [{ at: '+1h', type: 'stage', to: 'maybe' }] }, ['events.0.to']],
    [{ ...base, events: [{ at: '+1h', type: 'outbound', text: ' ' }] }, ['events.0.text']],
    [
      {
        ...base,
        events: [
          { at: '+1h', type: 'book', start: '+1d' },
          { at: '+2h', type: 'book', start: '+1d2h' },
        ],
      },
      ['events.1.type'],
    ],
    [{ ...base, events: [{ at: '+1h', type: 'reschedule', start: '+1d' }] }, ['events.0.type']],
  ])('names the offending field (%#)', (input, fields) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  it('a second booking after the first meeting ended is fine', () => {
    const scenario = parseScenario({
      ...base,
      events: [
        { at: '+1h', type: 'book', start: '+2h' },
        { at: '+3h', type: 'book', start: '+1d' },
      ],
    });
    expect(scenario.events).toHaveLength(2);
  });
});
