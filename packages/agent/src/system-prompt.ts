/**
 * The system prompt of a turn, built by a pure function from the tenant's persona and the
 * lead's situation: the same input gives the same text (golden-tested), and nothing here logs.
 *
 * Times are written in the tenant's zone with their offset (`2026-12-08T10:00:00-03:00`), so the
 * model reads and gives them in that zone. Sections start with `## ` headings whose names are
 * stable: the offline demo model reads the persona, the questions and the offered slots back
 * from them.
 */
import { formatLocal, toZonedIso, type FieldValue, type Stage } from '@sdr/core';
import type { AgentSettings } from './agent-settings.js';

/** A slot already offered to the lead, as the prompt lists it. */
export interface PromptSlot {
  readonly start: Date;
}

/** Everything the system prompt is built from. */
export interface SystemPromptInput {
  readonly settings: AgentSettings;
  readonly tenant: { readonly name: string; readonly timeZone: string; readonly locale: string };
  readonly lead: {
    readonly name: string | null;
    readonly email: string | null;
    readonly stage: Stage;
    readonly fields: Readonly<Record<string, FieldValue>>;
    readonly tags: readonly string[];
  };
  readonly now: Date;
  /** The lead's next scheduled meeting, if any. */
  readonly appointment: { readonly start: Date; readonly end: Date } | null;
  /** Slots offered to the lead in earlier turns (still the only ones `book_meeting` accepts). */
  readonly offeredSlots: readonly PromptSlot[];
}

/** Headings of the prompt's sections (read back by the demo model). */
export const promptSections = {
  persona: '## Persona',
  now: '## Now',
  facts: '## Business facts',
  limits: '## Limits',
  questions: '## Qualification questions',
  lead: '## The lead',
  meeting: '## Upcoming meeting',
  offered: '## Slots offered to the lead',
  rules: '## Rules',
} as const;

const fixedRules = [
  'Act only through the tools; never say something was done unless its tool returned "ok": true.',
  'A tool result with "ok": false means it was NOT done: tell the lead plainly and offer what is possible.',
  'To propose meeting times call find_slots and offer at most 3 of the returned slots; book only with book_meeting, passing the exact "start" of an offered slot.',
  'If the lead already has a meeting, move it with reschedule_meeting or cancel it with cancel_meeting; never book a second one.',
  'Store every qualification answer with update_lead under the field named in brackets.',
  'If the lead asks for a person, is upset, or you cannot help, call handoff_to_human with a short reason.',
  'If the lead asks not to be contacted again, call opt_out.',
  'Write short messages (at most 3 sentences), one question at a time, no markdown.',
];

function formatValue(value: FieldValue): string {
  if (value === null) return '(empty)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function bulletList(lines: readonly string[], empty: string): string[] {
  return lines.length === 0 ? [empty] : lines.map((line) => `- ${line}`);
}

/** The system prompt of a turn (see the module comment). */
export function buildSystemPrompt(input: SystemPromptInput): string {
  const { settings, tenant, lead, now } = input;
  const zone = tenant.timeZone;
  const label = (at: Date) => formatLocal(at, zone, { locale: tenant.locale, style: 'weekday-datetime' });
  const company = settings.company ?? tenant.name;
  const language = settings.language ?? tenant.locale;

  const questions = settings.questions.map(({ field, question }) => {
    const answer = lead.fields[field];
    return answer === undefined || answer === null
      ? `- [${field}] ${question}`
      : `- [${field}] ${question} (answered: ${formatValue(answer)})`;
  });
  const fieldLines = Object.keys(lead.fields)
    .sort()
    .map((key) => `${key}=${formatValue(lead.fields[key] ?? null)}`);

  return [
    promptSections.persona,
    `Name: ${settings.name}`,
    `Company: ${company}`,
    `You are ${settings.name}, the sales development assistant of ${company}, talking with a lead over WhatsApp.`,
    `Goal: ${settings.goal}`,
    `Tone: ${settings.tone}`,
    `Language: always reply in ${language}.`,
    '',
    promptSections.now,
    `${toZonedIso(now, zone)} (${label(now)}), time zone ${zone}. Every time you read or write is in this zone; give times with their offset to the tools.`,
    '',
    promptSections.facts,
    ...bulletList(settings.facts, '- (none given: do not invent any)'),
    '',
    promptSections.limits,
    ...bulletList(settings.limits, '- (none beyond the rules)'),
    '',
    promptSections.questions,
    settings.questions.length === 0 ? '- (none: ask what the lead needs)' : 'Ask the unanswered ones one at a time, in this order:',
    ...questions,
    '',
    promptSections.lead,
    `Name: ${lead.name ?? '(unknown)'}`,
    `E-mail: ${lead.email ?? '(unknown)'}`,
    `Stage: ${lead.stage}`,
    `Fields: ${fieldLines.length === 0 ? '(none)' : fieldLines.join('; ')}`,
    `Tags: ${lead.tags.length === 0 ? '(none)' : lead.tags.join(', ')}`,
    '',
    promptSections.meeting,
    input.appointment === null
      ? 'none'
      : `${toZonedIso(input.appointment.start, zone)} to ${toZonedIso(input.appointment.end, zone)} (${label(input.appointment.start)})`,
    '',
    promptSections.offered,
    ...(input.offeredSlots.length === 0
      ? ['none']
      : input.offeredSlots.map((slot, index) => `${String(index + 1)}. ${toZonedIso(slot.start, zone)} (${label(slot.start)})`)),
    '',
    promptSections.rules,
    ...fixedRules.map((rule) => `- ${rule}`),
  ].join('\n');
}
