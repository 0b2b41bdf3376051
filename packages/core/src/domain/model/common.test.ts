import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countryCodeSchema,
  currencySchema,
  durationSchema,
  fieldValueSchema,
  formatDuration,
  idSchema,
  instantSchema,
  jsonValueSchema,
  localDateSchema,
  localTimeSchema,
  localeSchema,
  nameSchema,
  parseDuration,
  timeZoneSchema,
} from './common.js';
import { toFieldErrors } from './parse.js';

describe('idSchema', () => {
  it('accepts UUIDs and rejects anything else', () => {
    expect(idSchema.parse('0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f')).toBe('0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f');
    const result = idSchema.safeParse('lead-1');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be a UUID');
  });
});

describe('instantSchema', () => {
  it.each([
    ['2026-03-02T13:00:00Z', '2026-03-02T13:00:00.000Z'],
    ['2026-03-02T10:00:00-03:00', '2026-03-02T13:00:00.000Z'],
    ['2026-03-02T13:00:00.123+00:00', '2026-03-02T13:00:00.123Z'],
  ])('parses %s with its offset', (input, expected) => {
    expect(instantSchema.parse(input).toISOString()).toBe(expected);
  });

  it('copies a Date', () => {
    const date = new Date('2026-03-02T13:00:00Z');
    const parsed = instantSchema.parse(date);
    expect(parsed).toEqual(date);
    expect(parsed).not.toBe(date);
  });

  it.each(['2026-03-02T10:00:00', '2026-03-02', 'yesterday', '2026-02-30T10:00:00Z', ''])(
    'rejects %j (no offset, or not an instant)',
    (input) => {
      expect(instantSchema.safeParse(input).success).toBe(false);
    },
  );

  it('rejects an invalid Date and non-dates', () => {
    expect(instantSchema.safeParse(new Date('nope')).success).toBe(false);
    expect(instantSchema.safeParse(1_767_225_600_000).success).toBe(false);
    expect(instantSchema.safeParse(null).success).toBe(false);
  });
});

describe('localDateSchema / localTimeSchema', () => {
  it.each(['2026-04-21', '2028-02-29', '2026-12-31'])('accepts the date %s', (date) => {
    expect(localDateSchema.parse(date)).toBe(date);
  });

  it.each(['2026-02-30', '2026-02-29', '2026-13-01', '2026-4-21', '21/04/2026', '2026-04-21T00:00:00Z', ''])(
    'rejects the date %j',
    (date) => {
      expect(localDateSchema.safeParse(date).success).toBe(false);
    },
  );

  it.each(['00:00', '09:30', '23:59', '24:00'])('accepts the time %s', (time) => {
    expect(localTimeSchema.parse(time)).toBe(time);
  });

  it.each(['24:01', '25:00', '9:00', '09:60', '0900', '09:00:00', ''])('rejects the time %j', (time) => {
    expect(localTimeSchema.safeParse(time).success).toBe(false);
  });
});

describe('timeZoneSchema / localeSchema / countryCodeSchema / currencySchema', () => {
  it.each(['America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'UTC'])('accepts the zone %s', (zone) => {
    expect(timeZoneSchema.parse(zone)).toBe(zone);
  });

  it.each(['Mars/Base', 'EST', 'GMT+3', '', 'America/Nowhere'])('rejects the zone %j', (zone) => {
    expect(timeZoneSchema.safeParse(zone).success).toBe(false);
  });

  it.each(['pt-BR', 'en', 'en-US', 'pt-PT', 'es'])('accepts the locale %s', (locale) => {
    expect(localeSchema.parse(locale)).toBe(locale);
  });

  it.each(['pt_BR', '', 'not a locale', '123'])('rejects the locale %j', (locale) => {
    expect(localeSchema.safeParse(locale).success).toBe(false);
  });

  it.each(['BR', 'US', 'PT'])('accepts the country %s', (country) => {
    expect(countryCodeSchema.parse(country)).toBe(country);
  });

  it.each(['br', 'BRA', 'XX', ''])('rejects the country %j', (country) => {
    expect(countryCodeSchema.safeParse(country).success).toBe(false);
  });

  it.each(['BRL', 'USD', 'EUR'])('accepts the currency %s', (currency) => {
    expect(currencySchema.parse(currency)).toBe(currency);
  });

  it.each(['brl', 'XYZ', 'REAIS', ''])('rejects the currency %j', (currency) => {
    expect(currencySchema.safeParse(currency).success).toBe(false);
  });
});

describe('parseDuration / formatDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['45s', 45_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
    [' 30m ', 1_800_000],
    ['0m', 0],
  ])('parseDuration(%j) ⇒ %i', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'm', '30x', '1.5h', '-30m', '30 m', 'thirty minutes', '1h 30m'])('parseDuration(%j) ⇒ undefined', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, '0m'],
    [1_800_000, '30m'],
    [86_400_000, '1d'],
    [5_400_000, '1h30m'],
    [93_784_000, '1d2h3m4s'],
    [45_000, '45s'],
    [500, '500ms'],
    [-1_800_000, '-30m'],
  ])('formatDuration(%i) ⇒ %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips every whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });
});

describe('durationSchema', () => {
  it('accepts strings and whole non-negative milliseconds, and yields milliseconds', () => {
    expect(durationSchema.parse('30m')).toBe(1_800_000);
    expect(durationSchema.parse(1_800_000)).toBe(1_800_000);
    expect(durationSchema.parse(0)).toBe(0);
  });

  it.each([
    ['30x', 'must be a duration such as 30m, 24h or 2d'],
    [-1, 'must not be negative'],
    [1.5, 'must be a whole number of milliseconds'],
  ] as const)('rejects %j: %s', (input, message) => {
    const result = durationSchema.safeParse(input);
    expect(result.success).toBe(false);
    // a fraction fails both union branches on type; toFieldErrors picks the number branch's message
    expect(toFieldErrors(result.error?.issues ?? [], 'followUp.firstAfter')).toEqual([{ field: 'followUp.firstAfter', message }]);
  });
});

describe('jsonValueSchema / fieldValueSchema / nameSchema', () => {
  it('accepts nested JSON', () => {
    const value = { a: [1, 'two', true, null, { b: { c: [] } }] };
    expect(jsonValueSchema.parse(value)).toEqual(value);
  });

  it('rejects values that are not JSON', () => {
    expect(jsonValueSchema.safeParse({ a: undefined }).success).toBe(false);
    expect(jsonValueSchema.safeParse({ a: new Date() }).success).toBe(false);
    expect(jsonValueSchema.safeParse(() => 1).success).toBe(false);
  });

  it('bounds field values', () => {
    expect(fieldValueSchema.parse('x'.repeat(2000))).toHaveLength(2000);
    expect(fieldValueSchema.safeParse('x'.repeat(2001)).success).toBe(false);
    expect(fieldValueSchema.safeParse({}).success).toBe(false);
  });

  it('trims names and rejects empty or long ones', () => {
    expect(nameSchema.parse('  Maria Silva ')).toBe('Maria Silva');
    expect(nameSchema.safeParse('   ').error?.issues[0]?.message).toBe('must not be empty');
    expect(nameSchema.safeParse('x'.repeat(201)).error?.issues[0]?.message).toBe('must be at most 200 characters');
  });
});
