/**
 * The scenario of `simulateJourney` / `sdr simulate` — a public contract, kept stable:
 *
 * ```json
 * { "tenant": { "timeZone": "America/Sao_Paulo", … },   // the tenant configuration input
 *   "lead": { "name": "Ana", "phone": "+55 11 98765-4321" },
 *   "start": "2026-03-02T13:00:00Z", "until": "+7d",
 *   "events": [ { "at": "+0m", "type": "outbound", "text": "Oi Ana!" }, … ] }
 * ```
 *
 * `at` and `until` are `+<n>m|h|d` (or a combination such as `+1h30m`) from `start`, or an
 * absolute ISO-8601 instant. Invalid scenarios fail with a `ValidationError` naming the field.
 */
import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import { instantSchema, parseDuration } from '../model/common.js';
import { stageSchema } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema, type TenantConfig } from '../model/tenant.js';

/** The longest journey a scenario may describe. */
export const maxJourneyDays = 366;
const maxEvents = 1000;

const momentSchema = z.string().min(1, { message: 'must be +<n>m|h|d or an ISO-8601 instant' });
const textSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(4096);
const durationMinutesSchema = z
  .number()
  .int()
  .min(5)
  .max(24 * 60)
  .optional();

/** `book` and `reschedule`: the meeting's start, and its length (default: the tenant's slot, or the previous meeting's). */
function meetingEventSchema<Type extends 'book' | 'reschedule'>(type: Type) {
  return z.strictObject({ at: momentSchema, type: z.literal(type), start: momentSchema, durationMinutes: durationMinutesSchema });
}

/** One input event of a scenario, as written. */
export const scenarioEventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ at: momentSchema, type: z.literal('outbound'), text: textSchema }),
    z.strictObject({ at: momentSchema, type: z.literal('inbound'), text: textSchema }),
    meetingEventSchema('book'),
    meetingEventSchema('reschedule'),
    z.strictObject({ at: momentSchema, type: z.literal('cancel') }),
    z.strictObject({ at: momentSchema, type: z.literal('handoff'), reason: z.string().trim().min(1).max(500).optional() }),
    z.strictObject({ at: momentSchema, type: z.literal('resume') }),
    z.strictObject({ at: momentSchema, type: z.literal('optout') }),
    z.strictObject({ at: momentSchema, type: z.literal('stage'), to: stageSchema }),
  ],
  { error: 'must be one of outbound, inbound, book, reschedule, cancel, handoff, resume, optout, stage' },
);
/** One scenario event as written in the JSON file. */
export type ScenarioEventInput = z.input<typeof scenarioEventSchema>;

/** The scenario as written. */
export const scenarioSchema = z.strictObject({
  tenant: z.unknown(),
  lead: z.strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    phone: z.string().min(1, { message: 'must not be empty' }),
  }),
  start: instantSchema,
  until: momentSchema,
  events: z.array(scenarioEventSchema).max(maxEvents),
});
/** A scenario as written in the JSON file. */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** A scenario event with its instants resolved; `input` is the event as written (echoed in the timeline). */
export type ScenarioEvent = { readonly at: Date; readonly index: number; readonly input: ScenarioEventInput } & (
  | { readonly type: 'outbound' | 'inbound'; readonly text: string }
  | { readonly type: 'book' | 'reschedule'; readonly start: Date; readonly durationMinutes: number | undefined }
  | { readonly type: 'cancel' | 'resume' | 'optout' }
  | { readonly type: 'handoff'; readonly reason: string | undefined }
  | { readonly type: 'stage'; readonly to: z.infer<typeof stageSchema> }
);

/** A parsed scenario: canonical tenant configuration, instants resolved, events in time order. */
export interface Scenario {
  readonly tenant: TenantConfig;
  readonly lead: { readonly name: string | null; readonly phone: PhoneNumber };
  readonly start: Date;
  readonly until: Date;
  readonly events: readonly ScenarioEvent[];
}

/** Parses a scenario (the JSON value), or throws a `ValidationError` naming every offending field. */
export function parseScenario(input: unknown): Scenario {
  const raw = parseOrThrow(scenarioSchema, input);
  const tenant = parseOrThrow(tenantConfigSchema, raw.tenant ?? {}, 'tenant');
  const errors: FieldError[] = [];
  const phone = PhoneNumber.tryParse(raw.lead.phone, { defaultCountry: tenant.defaultCountry });
  if (!phone) errors.push({ field: 'lead.phone', message: 'is not a valid phone number' });
  const start = raw.start;
  const until = resolveMoment(raw.until, start, 'until', errors);
  if (until && until <= start) errors.push({ field: 'until', message: 'must be after start' });
  if (until && until.getTime() - start.getTime() > maxJourneyDays * 86_400_000) {
    errors.push({ field: 'until', message: `must be at most ${maxJourneyDays} days after start` });
  }
  const events: ScenarioEvent[] = [];
  raw.events.forEach((event, index) => {
    const field = `events.${index}`;
    const at = resolveMoment(event.at, start, `${field}.at`, errors);
    if (!at) return;
    if (at < start || (until && at > until)) errors.push({ field: `${field}.at`, message: 'must be between start and until' });
    const base = { at, index, input: event };
    if (event.type === 'book' || event.type === 'reschedule') {
      const meetingStart = resolveMoment(event.start, start, `${field}.start`, errors);
      if (!meetingStart) return;
      if (meetingStart <= at) errors.push({ field: `${field}.start`, message: 'must be after the event itself' });
      events.push({ ...base, type: event.type, start: meetingStart, durationMinutes: event.durationMinutes });
    } else if (event.type === 'outbound' || event.type === 'inbound') {
      events.push({ ...base, type: event.type, text: event.text });
    } else if (event.type === 'handoff') {
      events.push({ ...base, type: 'handoff', reason: event.reason });
    } else if (event.type === 'stage') {
      events.push({ ...base, type: 'stage', to: event.to });
    } else {
      events.push({ ...base, type: event.type });
    }
  });
  const ordered = events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index);
  checkMeetingOrder(ordered, tenant.booking.slotMinutes, errors);
  if (errors.length > 0 || !phone || !until) throw new ValidationError(errors);
  return { tenant, lead: { name: raw.lead.name ?? null, phone }, start, until, events: ordered };
}

/** `+30m`, `+2h`, `+1d12h` from `start`, or an absolute instant. */
function resolveMoment(value: string, start: Date, field: string, errors: FieldError[]): Date | undefined {
  if (value.startsWith('+')) {
    const ms = parseDuration(value.slice(1));
    if (ms !== undefined) return new Date(start.getTime() + ms);
    errors.push({ field, message: 'must be +<n>m|h|d (such as +30m, +2h, +1d) or an ISO-8601 instant' });
    return undefined;
  }
  const instant = instantSchema.safeParse(value);
  if (instant.success) return instant.data;
  errors.push({ field, message: 'must be +<n>m|h|d (such as +30m, +2h, +1d) or an ISO-8601 instant with an offset' });
  return undefined;
}

/**
 * A reschedule or cancel needs a booked meeting; another booking is refused until the current
 * meeting has ended (the lead has one meeting at a time, and two would overlap on the calendar).
 */
function checkMeetingOrder(events: readonly ScenarioEvent[], slotMinutes: number, errors: FieldError[]): void {
  let meeting: { readonly end: Date; readonly minutes: number } | null = null;
  for (const event of events) {
    const field = `events.${event.index}.type`;
    if (event.type === 'book') {
      if (meeting && meeting.end > event.at) errors.push({ field, message: 'a meeting is already booked: reschedule or cancel it first' });
      const minutes = event.durationMinutes ?? slotMinutes;
      meeting = { end: new Date(event.start.getTime() + minutes * 60_000), minutes };
    } else if (event.type === 'reschedule') {
      if (!meeting) errors.push({ field, message: 'there is no booked meeting to reschedule' });
      const minutes: number = event.durationMinutes ?? meeting?.minutes ?? slotMinutes;
      meeting = { end: new Date(event.start.getTime() + minutes * 60_000), minutes };
    } else if (event.type === 'cancel') {
      if (!meeting) errors.push({ field, message: 'there is no booked meeting to cancel' });
      meeting = null;
    }
  }
}
