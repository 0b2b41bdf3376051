/**
 * The handoff note (SPEC §4.4): what a person taking over a conversation needs, on one card of
 * the CRM — who the lead is, what they want (qualification answers), the stage, the booked
 * meeting in the tenant's local time, tags and objections, the latest messages, why the handoff
 * happened and what to do next.
 *
 * A pure, deterministic function: the same input gives the same text, in pt-BR or English after
 * the tenant's locale, with its sections always in the same order. It is bounded by
 * `handoff.maxNoteLength`: long values are trimmed, then the oldest quoted messages are left out
 * (the note says how many), and only as a last resort the text is cut.
 */
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import type { Message } from '../model/message.js';
import type { TenantConfig } from '../model/tenant.js';
import type { HandoffRequester } from '../follow-up/follow-up-types.js';
import { localParts } from '../time/local-time.js';
import { handoffNoteLabels, handoffNoteLanguage, type HandoffNoteLabels, type HandoffNoteLanguage } from './handoff-note-labels.js';

/** What the note is built from. */
export interface HandoffNoteInput {
  readonly lead: Pick<Lead, 'name' | 'phone' | 'email' | 'stage' | 'fields' | 'tags' | 'optedOut'>;
  readonly config: Pick<TenantConfig, 'locale' | 'timeZone' | 'handoff'>;
  readonly reason: string;
  readonly requestedBy: HandoffRequester;
  /** When the handoff was asked for. */
  readonly at: Date;
  /** The lead's next booked meeting, if any. */
  readonly appointment: Pick<Appointment, 'start' | 'end'> | null;
  /** The lead's messages in chronological order; the latest `handoff.lastMessages` are quoted. */
  readonly messages: readonly Pick<Message, 'direction' | 'body' | 'createdAt' | 'media'>[];
  /** What the person should do next; when absent, the note suggests it from the situation. */
  readonly nextStep?: string | null;
}

/** The note and how it was bounded. */
export interface HandoffNote {
  readonly text: string;
  readonly language: HandoffNoteLanguage;
  /** Messages quoted in the note. */
  readonly quotedMessages: number;
  /** Something was left out or cut to respect the maximum length. */
  readonly truncated: boolean;
}

const maxReasonLength = 500;
const maxValueLength = 200;
const maxMessageLength = 280;
const maxTagsLength = 600;

/** Builds the handoff note; see the module comment. */
export function buildHandoffNote(input: HandoffNoteInput): HandoffNote {
  const language = handoffNoteLanguage(input.config.locale);
  const labels = handoffNoteLabels(language);
  const { lastMessages, maxNoteLength } = input.config.handoff;
  const quoted = lastMessages === 0 ? [] : input.messages.slice(-lastMessages);
  for (let omitted = 0; omitted <= quoted.length; omitted += 1) {
    const text = renderNote(input, labels, quoted.slice(omitted), omitted);
    if (text.length <= maxNoteLength) return { text, language, quotedMessages: quoted.length - omitted, truncated: omitted > 0 };
  }
  const text = shorten(renderNote(input, labels, [], quoted.length), maxNoteLength);
  return { text, language, quotedMessages: 0, truncated: true };
}

/** The idempotency key of the note of the handoff asked for at `at`: one note per handoff, whatever retries. */
export function handoffNoteKey(leadId: string, at: Date): string {
  return `handoff:${leadId}:${at.getTime()}`;
}

function renderNote(input: HandoffNoteInput, labels: HandoffNoteLabels, messages: HandoffNoteInput['messages'], omitted: number): string {
  const { lead, config } = input;
  const zone = config.timeZone;
  const requested = labels.dateTime(localParts(input.at, zone));
  const header = [
    labels.title,
    `${labels.reason}: ${oneLine(input.reason, maxReasonLength)}`,
    `${labels.requestedBy}: ${labels.requesters[input.requestedBy]} · ${requested} (${zone})`,
  ];
  const leadLines = [
    `${labels.name}: ${lead.name === null ? labels.none : oneLine(lead.name, maxValueLength)}`,
    `${labels.phone}: ${lead.phone.e164}`,
    `${labels.email}: ${lead.email ?? labels.none}`,
    `${labels.stage}: ${labels.stages[lead.stage]}`,
    ...(lead.optedOut ? [`${labels.optedOut}: ${labels.yes}`] : []),
  ];
  const fieldLines = Object.keys(lead.fields)
    .sort()
    .flatMap((name) => {
      const value = lead.fields[name];
      if (value === null || value === undefined) return [];
      const shown = typeof value === 'boolean' ? (value ? labels.yes : labels.no) : String(value);
      return [`${oneLine(name, maxValueLength)}: ${oneLine(shown, maxValueLength)}`];
    });
  const meetingLine =
    input.appointment === null
      ? labels.noMeeting
      : `${labels.weekdays[localParts(input.appointment.start, zone).weekday]} ${meetingTime(input.appointment, zone, labels)} (${zone})`;
  const tagsLine = lead.tags.length === 0 ? labels.noTags : oneLine(lead.tags.join(', '), maxTagsLength);
  const messageLines = [
    ...(omitted > 0 ? [labels.omitted(omitted)] : []),
    ...messages.map((message) => {
      const who = message.direction === 'inbound' ? labels.leadSays : labels.agentSays;
      return `[${labels.shortDateTime(localParts(message.createdAt, zone))}] ${who}: ${messageText(message, labels)}`;
    }),
  ];
  return [
    header.join('\n'),
    section(labels.sections.lead, leadLines),
    section(labels.sections.qualification, fieldLines.length === 0 ? [labels.noFields] : fieldLines),
    section(labels.sections.meeting, [meetingLine]),
    section(labels.sections.tags, [tagsLine]),
    section(labels.sections.messages, messageLines.length === 0 ? [labels.noMessages] : messageLines),
    section(labels.sections.nextStep, [nextStep(input, labels)]),
  ].join('\n\n');
}

function section(title: string, lines: readonly string[]): string {
  return [`== ${title} ==`, ...lines].join('\n');
}

function meetingTime(appointment: Pick<Appointment, 'start' | 'end'>, zone: string, labels: HandoffNoteLabels): string {
  const start = localParts(appointment.start, zone);
  const end = localParts(appointment.end, zone);
  return start.date === end.date ? `${labels.dateTime(start)}–${end.time}` : `${labels.dateTime(start)} – ${labels.dateTime(end)}`;
}

function messageText(message: HandoffNoteInput['messages'][number], labels: HandoffNoteLabels): string {
  const attachments = message.media.map((media) => `[${labels.attachment}: ${media.fileName ?? media.contentType}]`);
  return oneLine([message.body, ...attachments].filter((part) => part.trim() !== '').join(' '), maxMessageLength);
}

function nextStep(input: HandoffNoteInput, labels: HandoffNoteLabels): string {
  const given = input.nextStep?.trim();
  if (given) return oneLine(given, maxReasonLength);
  if (input.lead.optedOut) return labels.nextSteps.optedOut;
  if (input.requestedBy === 'lead') return labels.nextSteps.leadAsked;
  if (input.appointment !== null)
    return labels.nextSteps.meeting(labels.dateTime(localParts(input.appointment.start, input.config.timeZone)));
  return labels.nextSteps.fallback;
}

/** Whitespace (newlines included) collapsed, then bounded. */
function oneLine(text: string, maxLength: number): string {
  return shorten(text.replace(/\s+/g, ' ').trim(), maxLength);
}

/** `text` if it fits, otherwise cut to `maxLength` with an ellipsis, never inside a surrogate pair. */
function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}
