/**
 * The readable form of a simulated journey: one line per happening, in the tenant's local time
 * (with the UTC offset, which makes DST changes visible), the time shown once per instant.
 */
import { localParts, parseDuration, type JourneyEntry, type JourneyResult } from '@sdr/core';

const weekdayNames = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' } as const;

const shiftNotes: Record<string, string> = {
  business_hours: 'moved to the next opening',
  quiet_hours: 'moved out of quiet hours',
  deferred: 're-queued by the dispatcher',
};

/** The whole timeline as text, ending with a newline. */
export function formatJourneyTimeline(result: JourneyResult): string {
  const zone = result.tenant.timeZone;
  const local: Local = (iso) => {
    const parts = localParts(typeof iso === 'string' ? new Date(iso) : iso, zone);
    return `${weekdayNames[parts.weekday]} ${parts.date} ${parts.time} ${parts.offset}`;
  };
  const { scenario } = result;
  const who = scenario.lead.name ? `${scenario.lead.name} (${scenario.lead.phone.masked()})` : scenario.lead.phone.masked();
  const lines = [`Journey of ${who} in ${zone}, ${local(scenario.start)} → ${local(scenario.until)}`, ''];
  let previous = '';
  for (const entry of result.entries) {
    const when = local(entry.at);
    const column = when === previous ? ' '.repeat(when.length) : when;
    previous = when;
    lines.push(`${column}  ${describe(entry, local, scenario.start)}`);
  }
  lines.push('', summary(result), '');
  return lines.join('\n');
}

type Local = (at: string | Date) => string;

function describe(entry: JourneyEntry, local: Local, start: Date): string {
  switch (entry.type) {
    case 'event':
      return describeEvent(entry.event, (value) => local(resolve(value, start)));
    case 'message.scheduled': {
      const notes = entry.shifts.map((shift) => shiftNotes[shift]).filter((note) => note !== undefined);
      return `  · ${entry.kind} scheduled for ${local(entry.dueAt)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
    }
    case 'message.sent':
      return `  ✓ ${entry.kind} sent: ${quote(entry.text)}`;
    case 'message.skipped':
      return `  – ${entry.kind} skipped: ${entry.reason}`;
    case 'message.cancelled':
      return `  ✗ ${entry.kind} cancelled: ${entry.reason}`;
    case 'stage.changed':
      return `  stage ${entry.from} → ${entry.to}`;
    case 'automation.changed':
      return `  automation ${entry.from} → ${entry.to}`;
  }
}

function describeEvent(event: Extract<JourneyEntry, { type: 'event' }>['event'], moment: (value: string) => string): string {
  switch (event.type) {
    case 'outbound':
      return `→ agent: ${quote(event.text)}`;
    case 'inbound':
      return `← lead: ${quote(event.text)}`;
    case 'book':
      return `meeting booked for ${moment(event.start)}`;
    case 'reschedule':
      return `meeting moved to ${moment(event.start)}`;
    case 'cancel':
      return 'meeting cancelled';
    case 'handoff':
      return `handed off to a human${event.reason ? `: ${event.reason}` : ''}`;
    case 'resume':
      return 'an operator resumed automation';
    case 'optout':
      return 'the lead opted out';
    case 'stage':
      return `a human moved the lead to ${event.to} in the CRM`;
  }
}

/** A scenario moment (`+3h`, or an instant) as an instant; the scenario was validated, so both parse. */
function resolve(value: string, start: Date): Date {
  return value.startsWith('+') ? new Date(start.getTime() + (parseDuration(value.slice(1)) ?? 0)) : new Date(value);
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > 100 ? `${flat.slice(0, 99)}…` : flat}"`;
}

function summary(result: JourneyResult): string {
  const count = (type: JourneyEntry['type']) => result.entries.filter((entry) => entry.type === type).length;
  return (
    `${count('message.sent')} sent, ${count('message.skipped')} skipped, ${count('message.cancelled')} cancelled; ` +
    `the lead ends in stage ${result.lead.stage}, automation ${result.lead.automation}${result.lead.optedOut ? ', opted out' : ''}.`
  );
}
