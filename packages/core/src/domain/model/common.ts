import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

/** Entity identifiers are UUIDs, one id type end to end. */
export const idSchema = z.uuid({ message: 'must be a UUID' });
export type Id = z.infer<typeof idSchema>;

/**
 * An instant: a `Date`, or an ISO-8601 string **with** an offset (`Z` or `±hh:mm`). Strings
 * without an offset are rejected, since their meaning depends on the reader's zone.
 */
export const instantSchema = z
  .union([z.date(), z.iso.datetime({ offset: true, message: 'must be an ISO-8601 instant with an offset, such as 2026-03-02T13:00:00Z' })])
  .transform((value) => (value instanceof Date ? new Date(value.getTime()) : new Date(value)))
  .refine((date) => !Number.isNaN(date.getTime()), { message: 'is not a valid instant' });

/**
 * An instant as epoch milliseconds that every store can hold: years 0001 to 9999, the range of
 * ISO-8601 instants (and within PostgreSQL's `timestamptz`). Paging cursors carry their instant
 * this way, so a forged one beyond it is refused as input instead of failing the query.
 */
export const storableEpochMsSchema = z
  .number()
  .int()
  .min(Date.parse('0001-01-01T00:00:00.000Z'))
  .max(Date.parse('9999-12-31T23:59:59.999Z'));

/** A calendar date without a zone, `YYYY-MM-DD`; impossible dates (2025-02-30) are rejected. */
export const localDateSchema = z.string().refine(isRealDate, { message: 'must be a real calendar date in the form YYYY-MM-DD' });

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock time `HH:MM` from `00:00` to `24:00` (the latter only meaningful as a window end). */
export const localTimeSchema = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'must be a time of day in the form HH:MM (00:00 to 24:00)' });

/** An IANA time-zone name such as `America/Sao_Paulo`, checked against the runtime's zone data. */
export const timeZoneSchema = z.string().refine(isTimeZone, { message: 'must be an IANA time-zone name such as America/Sao_Paulo' });

// Building an `Intl.DateTimeFormat` costs far more than the rest of a tenant's validation, and
// every stored tenant read is validated: zones found valid are remembered (there are a few
// hundred names at most; the cap only guards against a flood of junk that happens to be valid).
const knownTimeZones = new Set<string>();

function isTimeZone(value: string): boolean {
  if (knownTimeZones.has(value)) return true;
  if (!value.includes('/') && value !== 'UTC') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    return false;
  }
  if (knownTimeZones.size < 2000) knownTimeZones.add(value);
  return true;
}

/** A BCP 47 locale tag such as `pt-BR` or `en`. */
export const localeSchema = z.string().refine(
  (value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a BCP 47 locale tag such as pt-BR or en' },
);

/** An ISO 3166-1 alpha-2 country code that phone numbers can be parsed for (`BR`, `US`, `PT`). */
export const countryCodeSchema = z
  .string()
  .refine((value) => /^[A-Z]{2}$/.test(value) && isSupportedCountry(value), {
    message: 'must be an ISO 3166 country code with phone numbering, such as BR',
  })
  .transform((value) => value as CountryCode);

const currencies = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code known to the runtime (`BRL`, `USD`, `EUR`). */
export const currencySchema = z
  .string()
  .refine((value) => currencies.has(value), { message: 'must be an ISO 4217 currency code such as BRL' });

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30m`, `24h`, `2d`, `45s` (or a combination such as `1h30m`) into milliseconds. */
export function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^(?:\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)([smhd])/g)) total += Number(match[1]) * (durationUnits[match[2] ?? ''] ?? 0);
  return total;
}

/**
 * A duration: a string such as `30m`, `24h`, `2d` or `1h30m`, or a number of milliseconds.
 * Parsed, it is always a number of milliseconds.
 */
export const durationSchema = z
  .union([
    z.number().int({ message: 'must be a whole number of milliseconds' }).nonnegative({ message: 'must not be negative' }),
    z.string(),
  ])
  .transform((value, context) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      context.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 24h or 2d' });
      return z.NEVER;
    }
    return ms;
  });

/** Formats milliseconds back into the shortest `1d2h30m` form (used in explanations). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0m';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return sign + (out || `${rest}ms`);
}

/**
 * How deeply free-form JSON (billing metadata, payloads) may nest: objects and arrays within one
 * another. Far beyond any real use, and far below what would exhaust the validator's stack.
 */
export const maxJsonDepth = 32;

/**
 * Whether `value` nests objects and arrays more than `maxDepth` levels deep (`{}` and `[]` are
 * one level). Walks without recursion, so any depth is measured safely.
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number = maxJsonDepth): boolean {
  const pending: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}

/**
 * `schema` behind a nesting-depth guard: a value deeper than `maxDepth` is refused with one
 * issue (`must nest at most N levels deep`) before `schema`, which may be recursive, sees it.
 */
export function withJsonDepthLimit<Output>(schema: z.ZodType<Output>, maxDepth: number = maxJsonDepth): z.ZodType<Output> {
  return z
    .unknown()
    .superRefine((value, context) => {
      if (exceedsJsonDepth(value, maxDepth)) context.addIssue({ code: 'custom', message: `must nest at most ${maxDepth} levels deep` });
    })
    .pipe(schema);
}

/** Free-form JSON-compatible values stored alongside entities. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Values a qualification field or CRM custom field can hold. */
export const fieldValueSchema = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof fieldValueSchema>;

/** Bounded non-empty text (names, titles). */
export const nameSchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(200, { message: 'must be at most 200 characters' });
