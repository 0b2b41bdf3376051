/**
 * The stored explanation of a scheduled message in words: which rule scheduled it, from what,
 * and every move of its time, with instants in the tenant's zone. The JSON stays the source;
 * this is its reading for a person (an operator asking "why did this go out now?").
 */
import { formatLocal, type JsonValue, type ScheduledMessage, type Tenant } from '@sdr/core';

type JsonRecord = { readonly [key: string]: JsonValue };

function isRecord(value: JsonValue | undefined): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Lines describing why `message` exists and when it is due. */
export function explainInWords(message: ScheduledMessage, tenant: Pick<Tenant, 'timeZone' | 'locale'>): string[] {
  const local = (iso: string | undefined) => {
    const at = iso === undefined ? undefined : new Date(iso);
    return at === undefined || Number.isNaN(at.getTime())
      ? (iso ?? '?')
      : formatLocal(at, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' });
  };
  const lines = [`${message.kind} is ${message.status}, due ${local(message.dueAt.toISOString())} (${tenant.timeZone}).`];
  const explanation = message.explanation;
  if (!isRecord(explanation)) return [...lines, 'No explanation was stored with this message.'];
  if (explanation.rule === 'billing.step') return [...lines, ...billingLines(explanation)];
  const rule = text(explanation.rule);
  const summary = text(explanation.summary);
  if (rule !== undefined || summary !== undefined) lines.push(`Rule ${rule ?? '?'} of SPEC: ${summary ?? 'no summary'}.`);
  const shifts = Array.isArray(explanation.shifts) ? explanation.shifts : [];
  for (const shift of shifts) if (isRecord(shift)) lines.push(followUpShift(shift, local));
  if (message.skipReason !== null) lines.push(`Skipped when due: ${message.skipReason}.`);
  if (message.cancelReason !== null) lines.push(`Cancelled: ${message.cancelReason}.`);
  return lines;
}

function followUpShift(shift: JsonRecord, local: (iso: string | undefined) => string): string {
  switch (shift.type) {
    case 'business_hours':
      return `Moved from ${local(text(shift.from))} to ${local(text(shift.to))}: outside business hours, to the next opening.`;
    case 'quiet_hours':
      return `Moved from ${local(text(shift.from))} to ${local(text(shift.to))}: inside quiet hours (${text(shift.quietStart) ?? '?'}–${
        text(shift.quietEnd) ?? '?'
      }), to their ${shift.moved === 'to_start' ? 'start' : 'end'}.`;
    case 'dropped_past':
      return `Not scheduled: ${local(text(shift.at))} had already passed when the meeting was booked.`;
    case 'dropped_after_start':
      return `Not scheduled: ${local(text(shift.at))} is at or after the meeting start.`;
    default:
      return `Shift: ${JSON.stringify(shift)}.`;
  }
}

function billingLines(explanation: JsonRecord): string[] {
  const lines = [
    `Billing step ${text(explanation.step) ?? '?'} of a charge due ${text(explanation.dueDate) ?? '?'}: planned for ${
      text(explanation.stepDate) ?? '?'
    } at ${text(explanation.sendTime) ?? '?'} (${text(explanation.timeZone) ?? '?'}), on the import of ${text(explanation.today) ?? '?'}.`,
  ];
  const shifts = Array.isArray(explanation.shifts) ? explanation.shifts : [];
  for (const shift of shifts) if (typeof shift === 'string') lines.push(`Moved: ${shift}.`);
  const decision = text(explanation.decision);
  if (decision !== undefined) lines.push(`Decision: ${decision}.`);
  return lines;
}
