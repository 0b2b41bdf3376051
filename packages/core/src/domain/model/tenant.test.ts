import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { parseOrThrow } from './parse.js';
import { tenantConfigSchema, tenantSchema, weeklyHoursSchema, type TenantConfig } from './tenant.js';

/** The `tenant` object of an `sdr simulate` scenario, as a person writes it. */
const scenarioTenant = {
  timeZone: 'America/Sao_Paulo',
  locale: 'pt-BR',
  businessHours: { mon: [['09:00', '18:00']], sat: [] },
  holidays: ['2026-04-21'],
  quietHours: ['22:00', '08:00'],
  followUp: { firstAfter: '30m', secondAfter: '24h', giveUpAfter: '24h' },
};

const canonical: TenantConfig = {
  timeZone: 'America/Sao_Paulo',
  locale: 'pt-BR',
  defaultCountry: 'BR',
  currency: 'BRL',
  businessHours: { mon: [['09:00', '18:00']], sat: [] },
  holidays: ['2026-04-21'],
  quietHours: ['22:00', '08:00'],
  stageMapping: {},
  followUp: { firstAfter: 1_800_000, secondAfter: 86_400_000, giveUpAfter: 86_400_000 },
  reminders: { first: 86_400_000, second: 7_200_000, minimumBeforeStart: 1_800_000, whileAutomationPaused: true },
  booking: {
    calendarId: 'primary',
    slotMinutes: 30,
    minimumNotice: 7_200_000,
    horizonDays: 30,
    bufferBefore: 0,
    bufferAfter: 0,
    eventTitle: '{{leadName}}',
  },
  billing: { steps: [{ offsetDays: -3 }, { offsetDays: 0 }, { offsetDays: 3 }], sendTime: '10:00' },
  messaging: { instance: 'default' },
  crm: { fieldMapping: {}, requestsPerSecond: 7 },
  handoff: { lastMessages: 10, maxNoteLength: 4000 },
};

function fieldsOf(input: unknown): string[] {
  try {
    parseOrThrow(tenantConfigSchema, input, 'tenant');
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.fieldErrors.map((fieldError) => `${fieldError.field}: ${fieldError.message}`);
    throw error;
  }
  throw new Error('expected the tenant configuration to be rejected');
}

describe('tenantConfigSchema', () => {
  it('parses the scenario shape into canonical milliseconds with every default filled', () => {
    expect(tenantConfigSchema.parse(scenarioTenant)).toEqual(canonical);
  });

  it('round-trips: parsing the canonical output yields the same value', () => {
    const once = tenantConfigSchema.parse(scenarioTenant);
    const twice = tenantConfigSchema.parse(once);
    expect(twice).toEqual(once);
    // also through JSON, as it is stored
    expect(tenantConfigSchema.parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('needs only the time zone', () => {
    expect(tenantConfigSchema.parse({ timeZone: 'Europe/Lisbon' })).toEqual({
      ...canonical,
      timeZone: 'Europe/Lisbon',
      businessHours: null,
      holidays: [],
      quietHours: null,
    });
  });

  it('keeps explicit values and partial sections', () => {
    const config = tenantConfigSchema.parse({
      timeZone: 'America/New_York',
      locale: 'en-US',
      defaultCountry: 'US',
      currency: 'USD',
      followUp: { firstAfter: '1h30m' },
      reminders: { whileAutomationPaused: false },
      stageMapping: { won: { pipelineId: '1', statusId: '142' } },
      crm: { accountId: '31234567', fieldMapping: { budget: '550123' } },
    });
    expect(config.followUp).toEqual({ firstAfter: 5_400_000, secondAfter: 86_400_000, giveUpAfter: 86_400_000 });
    expect(config.reminders.whileAutomationPaused).toBe(false);
    expect(config.stageMapping).toEqual({ won: { pipelineId: '1', statusId: '142' } });
    expect(config.crm).toEqual({ accountId: '31234567', fieldMapping: { budget: '550123' }, requestsPerSecond: 7 });
    expect(tenantConfigSchema.parse(config)).toEqual(config);
  });

  it('accepts a window closing at 24:00', () => {
    expect(tenantConfigSchema.parse({ timeZone: 'UTC', businessHours: { fri: [['18:00', '24:00']] } }).businessHours).toEqual({
      fri: [['18:00', '24:00']],
    });
  });

  it.each([
    [{ timeZone: 'Mars/Base' }, 'tenant.timeZone: must be an IANA time-zone name such as America/Sao_Paulo'],
    [{}, 'tenant.timeZone: '],
    [{ timeZone: 'UTC', locale: 'pt_BR' }, 'tenant.locale: must be a BCP 47 locale tag such as pt-BR or en'],
    [{ timeZone: 'UTC', currency: 'XYZ' }, 'tenant.currency: must be an ISO 4217 currency code such as BRL'],
    [{ timeZone: 'UTC', defaultCountry: 'XX' }, 'tenant.defaultCountry: must be an ISO 3166 country code with phone numbering, such as BR'],
    [{ timeZone: 'UTC', followUp: { firstAfter: '30x' } }, 'tenant.followUp.firstAfter: must be a duration such as 30m, 24h or 2d'],
    [{ timeZone: 'UTC', reminders: { second: -1 } }, 'tenant.reminders.second: must not be negative'],
    [{ timeZone: 'UTC', holidays: ['2026-04-21', '2026-02-30'] }, 'tenant.holidays.1: must be a real calendar date in the form YYYY-MM-DD'],
    [
      { timeZone: 'UTC', businessHours: { mon: [['18:00', '09:00']] } },
      'tenant.businessHours.mon.0: must close after it opens, e.g. ["09:00", "18:00"]',
    ],
    [{ timeZone: 'UTC', businessHours: { mon: [['09:00', '09:00']] } }, 'tenant.businessHours.mon.0: must close after it opens'],
    [{ timeZone: 'UTC', businessHours: { mon: [['24:00', '24:00']] } }, 'tenant.businessHours.mon.0: must close after it opens'],
    [{ timeZone: 'UTC', businessHours: { mon: [['9:00', '18:00']] } }, 'tenant.businessHours.mon.0.0: must be a time of day'],
    [{ timeZone: 'UTC', businessHours: { monday: [] } }, 'tenant.businessHours.monday: unknown field'],
    [{ timeZone: 'UTC', quietHours: ['22:00'] }, 'tenant.quietHours'],
    [{ timeZone: 'UTC', stageMapping: { won: { pipelineId: '1' } } }, 'tenant.stageMapping.won.statusId: '],
    [{ timeZone: 'UTC', stageMapping: { closed: { pipelineId: '1', statusId: '2' } } }, 'tenant.stageMapping.closed'],
    [{ timeZone: 'UTC', booking: { slotMinutes: 2 } }, 'tenant.booking.slotMinutes: '],
    [{ timeZone: 'UTC', billing: { steps: [] } }, 'tenant.billing.steps: '],
    [{ timeZone: 'UTC', billing: { steps: [{ offsetDays: 90 }] } }, 'tenant.billing.steps.0.offsetDays: '],
    [{ timeZone: 'UTC', followUp: { firstAfter: '30m', thirdAfter: '1d' } }, 'tenant.followUp.thirdAfter: unknown field'],
    [{ timeZone: 'UTC', colour: 'blue' }, 'tenant.colour: unknown field'],
  ])('rejects %j naming the field', (input, expected) => {
    const fields = fieldsOf(input);
    expect(fields.some((field) => field.startsWith(expected))).toBe(true);
  });

  it('reports every problem at once', () => {
    expect(
      fieldsOf({ timeZone: 'Nowhere', locale: 'pt_BR', holidays: ['2026-02-30'], extra: 1 }).map((field) => field.split(':')[0]),
    ).toEqual(['tenant.timeZone', 'tenant.locale', 'tenant.holidays.0', 'tenant.extra']);
  });
});

describe('weeklyHoursSchema', () => {
  it('accepts the weekdays and at most 12 windows a day', () => {
    expect(weeklyHoursSchema.parse({ sun: [] })).toEqual({ sun: [] });
    const many = Array.from({ length: 13 }, (_unused, index) => [
      `${String(index).padStart(2, '0')}:00`,
      `${String(index).padStart(2, '0')}:30`,
    ]);
    expect(weeklyHoursSchema.safeParse({ mon: many }).success).toBe(false);
  });
});

describe('tenantSchema', () => {
  const tenant = {
    ...scenarioTenant,
    id: '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f',
    name: 'Clínica Sorriso',
    createdAt: '2026-03-02T13:00:00Z',
    updatedAt: new Date('2026-03-02T13:00:00Z'),
    version: 0,
  };

  it('extends the configuration with identity and bookkeeping', () => {
    const parsed = tenantSchema.parse(tenant);
    expect(parsed.id).toBe(tenant.id);
    expect(parsed.createdAt.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(parsed.followUp.firstAfter).toBe(1_800_000);
    expect(tenantSchema.parse(parsed)).toEqual(parsed);
  });

  it('rejects a bad id, name and version', () => {
    const result = tenantSchema.safeParse({ ...tenant, id: 'acme', name: '', version: -1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['id', 'name', 'version']);
  });
});
