import { describe, expect, it } from 'vitest';
import { ToolRefusal, describeInstant, readInstant } from './tool-support.js';

describe('instants the model gives and reads are in the tenant zone', () => {
  it('reads an offset as written, and a time without one in the tenant zone (never UTC)', () => {
    expect(readInstant('2026-03-03T09:00:00-03:00', 'America/Sao_Paulo', 'start')).toEqual(new Date('2026-03-03T12:00:00Z'));
    expect(readInstant('2026-03-03T12:00:00Z', 'America/Sao_Paulo', 'start')).toEqual(new Date('2026-03-03T12:00:00Z'));
    expect(readInstant('2026-03-03T09:00', 'America/Sao_Paulo', 'start')).toEqual(new Date('2026-03-03T12:00:00Z'));
    expect(readInstant('2026-03-03', 'America/Sao_Paulo', 'from')).toEqual(new Date('2026-03-03T03:00:00Z'));
    // Across a DST change: New York on 2026-03-08 moves from -05:00 to -04:00.
    expect(readInstant('2026-03-09T09:00', 'America/New_York', 'start')).toEqual(new Date('2026-03-09T13:00:00Z'));
  });

  it('refuses anything else, naming the field', () => {
    expect(() => readInstant('amanhã às 9', 'America/Sao_Paulo', 'start')).toThrow(ToolRefusal);
    expect(() => readInstant('amanhã às 9', 'America/Sao_Paulo', 'start')).toThrow(/^start: must be an ISO date-time/);
  });

  it('writes instants with the zone offset and a local label', () => {
    expect(describeInstant(new Date('2026-03-03T12:00:00Z'), { timeZone: 'America/Sao_Paulo', locale: 'pt-BR' })).toEqual({
      start: '2026-03-03T09:00:00-03:00',
      label: expect.stringContaining('09:00'),
    });
  });
});
