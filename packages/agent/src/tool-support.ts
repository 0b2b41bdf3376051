/**
 * What every tool shares: its result shape (`{ ok: true, … }` or `{ ok: false, error }` — a
 * failure never reads as success, SPEC §11), instants read in the tenant's zone, and the
 * translation of domain errors into messages the model can act on (no stack, no personal data).
 */
import { SdrError, SlotUnavailableError, ValidationError, formatLocal, toZonedIso, zonedInstant } from '@sdr/core';
import { jsonSchema, tool, type Tool } from 'ai';
import { z } from 'zod';

/** A tool's answer to the model. */
export type ToolResult = ({ readonly ok: true } & Readonly<Record<string, unknown>>) | { readonly ok: false; readonly error: string };

/** What one tool call did, for the turn record (names and outcomes only: no personal data). */
export interface ToolCallRecord {
  readonly tool: string;
  readonly ok: boolean;
  /** The error code of a failed call (`validation`, `slot_unavailable`, `not_offered`, …). */
  readonly code?: string;
}

/** A refusal decided by the tool itself (not an error of a service). */
export class ToolRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const offsetInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const localDateTime = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/;
const localDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads an instant the model gave: with an offset (`…-03:00`, `…Z`) as written; a local
 * date-time or a date alone in the tenant's zone (never in UTC or the server's zone).
 */
export function readInstant(value: string, timeZone: string, field: string): Date {
  const trimmed = value.trim();
  if (offsetInstant.test(trimmed)) {
    const at = new Date(trimmed);
    if (!Number.isNaN(at.getTime())) return at;
  }
  const local = localDateTime.exec(trimmed);
  if (local !== null) return zonedInstant(local[1] ?? '', local[2] ?? '', timeZone);
  if (localDate.test(trimmed)) return zonedInstant(trimmed, '00:00', timeZone);
  throw new ToolRefusal('validation', `${field}: must be an ISO date-time such as 2026-03-02T10:00:00-03:00`);
}

/** An instant as the model reads it: with the tenant zone's offset, and a label in its locale. */
export function describeInstant(
  at: Date,
  tenant: { readonly timeZone: string; readonly locale: string },
): { start: string; label: string } {
  return {
    start: toZonedIso(at, tenant.timeZone),
    label: formatLocal(at, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' }),
  };
}

function failure(error: unknown): { result: ToolResult; code: string } {
  if (error instanceof ToolRefusal) return { result: { ok: false, error: error.message }, code: error.code };
  if (SlotUnavailableError.isInstance(error)) {
    return {
      result: { ok: false, error: 'that time is no longer free: call find_slots and offer the lead other slots' },
      code: 'slot_unavailable',
    };
  }
  if (ValidationError.isInstance(error)) {
    return {
      result: { ok: false, error: `invalid input: ${error.fieldErrors.map((field) => `${field.field}: ${field.message}`).join('; ')}` },
      code: 'validation',
    };
  }
  if (SdrError.isInstance(error)) {
    return { result: { ok: false, error: `could not be done now (${error.code}); do not retry it in this reply` }, code: error.code };
  }
  return { result: { ok: false, error: 'could not be done now (internal); do not retry it in this reply' }, code: 'internal' };
}

// Converting a zod schema to JSON schema costs about a millisecond: each tool's is made once.
const jsonSchemas = new WeakMap<z.ZodType, ReturnType<typeof jsonSchema>>();

function passThroughSchemaOf(schema: z.ZodType): ReturnType<typeof jsonSchema> {
  let converted = jsonSchemas.get(schema);
  if (converted === undefined) {
    converted = jsonSchema(z.toJSONSchema(schema, { io: 'input' }) as Parameters<typeof jsonSchema>[0], {
      validate: (value) => ({ success: true, value }),
    });
    jsonSchemas.set(schema, converted);
  }
  return converted;
}

/**
 * A tool whose input the model sees as `schema`'s JSON schema and that validates it itself, so
 * that malformed arguments reach the model as `{ ok: false, error }` naming the field, like
 * every other refusal. `run` throws to refuse; the throw never escapes the tool.
 */
export function defineTool<Schema extends z.ZodType>(input: {
  readonly name: string;
  readonly description: string;
  readonly schema: Schema;
  readonly record: (call: ToolCallRecord) => void;
  readonly run: (args: z.output<Schema>) => Promise<Readonly<Record<string, unknown>>>;
}): Tool<unknown, ToolResult> {
  return tool<unknown, ToolResult>({
    description: input.description,
    inputSchema: passThroughSchemaOf(input.schema),
    execute: async (raw) => {
      const parsed = input.schema.safeParse(raw ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`).join('; ');
        input.record({ tool: input.name, ok: false, code: 'validation' });
        return { ok: false, error: `invalid input: ${detail}` };
      }
      try {
        const output = await input.run(parsed.data);
        input.record({ tool: input.name, ok: true });
        return { ...output, ok: true };
      } catch (error) {
        const { result, code } = failure(error);
        input.record({ tool: input.name, ok: false, code });
        return result;
      }
    },
  });
}
