/**
 * Properties of the follow-up engine over random journeys, played end to end by the simulator
 * (policy, service, dispatcher, handler, store): whatever the lead, the agent and the operators
 * do, in whatever order, the user's rule holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { JourneyEntry } from './journey-timeline.js';
import type { ScenarioEventInput } from './scenario-schema.js';
import { simulateJourney } from './simulate-journey.js';

const minute = 60_000;
const start = Date.parse('2026-03-02T13:00:00Z');

type Intent =
  | { readonly type: 'outbound' | 'inbound' | 'cancel' | 'handoff' | 'resume' | 'optout' }
  | { readonly type: 'book' | 'reschedule'; readonly leadMinutes: number }
  | { readonly type: 'stage'; readonly to: 'won' | 'lost' | 'human_handoff' | 'qualifying' };

const intent: fc.Arbitrary<Intent> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ type: 'outbound' as const }) },
  { weight: 4, arbitrary: fc.constant({ type: 'inbound' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('book' as const), leadMinutes: fc.integer({ min: 10, max: 4 * 24 * 60 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('reschedule' as const), leadMinutes: fc.integer({ min: 10, max: 3 * 24 * 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'cancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'handoff' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'optout' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('stage' as const), to: fc.constantFrom('won', 'lost', 'human_handoff', 'qualifying') }),
  },
);

const tenant = fc.record({
  timeZone: fc.constantFrom('America/Sao_Paulo', 'America/New_York'),
  businessHours: fc.constantFrom(null, {
    mon: [['09:00', '18:00']],
    tue: [['09:00', '18:00']],
    wed: [['09:00', '18:00']],
    thu: [['09:00', '18:00']],
    fri: [['09:00', '18:00']],
  }),
  quietHours: fc.constantFrom(null, ['22:00', '08:00'], ['20:00', '09:30']),
  followUp: fc.record({
    firstAfter: fc.constantFrom('30m', '5m', '2h'),
    secondAfter: fc.constantFrom('24h', '3h', '30h'),
    giveUpAfter: fc.constantFrom('24h', '1h'),
  }),
  reminders: fc.record({ whileAutomationPaused: fc.boolean() }),
});

/** A valid scenario: increasing times, meeting events only when they make sense. */
const scenario = fc
  .record({
    tenant,
    steps: fc.array(fc.record({ gapMinutes: fc.integer({ min: 1, max: 30 * 60 }), intent }), { minLength: 1, maxLength: 14 }),
  })
  .map(({ tenant: settings, steps }) => {
    let at = 0;
    let meetingAt: number | null = null;
    let meetingEnd: number | null = null;
    const events: ScenarioEventInput[] = [];
    for (const { gapMinutes, intent: next } of steps) {
      at += gapMinutes;
      const when = `+${at}m`;
      if (next.type === 'book' || next.type === 'reschedule') {
        const type = meetingEnd !== null && meetingEnd > at ? 'reschedule' : 'book';
        meetingAt = at + next.leadMinutes;
        meetingEnd = meetingAt + 30;
        events.push({ at: when, type, start: `+${meetingAt}m` });
      } else if (next.type === 'cancel') {
        if (meetingAt === null) continue;
        meetingAt = null;
        meetingEnd = null;
        events.push({ at: when, type: 'cancel' });
      } else if (next.type === 'stage') {
        events.push({ at: when, type: 'stage', to: next.to });
      } else if (next.type === 'outbound' || next.type === 'inbound') {
        events.push({ at: when, type: next.type, text: next.type === 'outbound' ? 'Olá!' : 'Oi' });
      } else {
        events.push({ at: when, type: next.type });
      }
    }
    return {
      tenant: settings,
      lead: { name: 'Ana', phone: '+55 11 98765-4321' },
      start: new Date(start).toISOString(),
      until: `+${at + 6 * 24 * 60}m`,
      events,
    };
  });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const reengagements = new Set(['reengage_1', 'reengage_2']);
const meetingKinds = new Set(['reminder_24h', 'reminder_2h']);

/** Walks the timeline in order, keeping what the invariants need, and checks them as it goes. */
function checkInvariants(input: Scenario, entries: readonly JourneyEntry[], rows: readonly ScheduledMessage[]): void {
  const pauseKeepsReminders = input.tenant.reminders.whileAutomationPaused;
  let silence: { sent: string[]; replied: boolean; secondSentAt: number | null } | null = null;
  let optedOut = false;
  let automation = 'active';
  let meeting: { start: number } | null = null;
  const stops: Array<{ readonly at: number; readonly optedOut: boolean }> = [];
  const replies: number[] = [];

  for (const entry of entries) {
    const at = Date.parse(entry.at);
    switch (entry.type) {
      case 'event': {
        const event = entry.event;
        if (event.type === 'outbound') silence = { sent: [], replied: false, secondSentAt: null };
        if (event.type === 'inbound') replies.push(at);
        if (event.type === 'inbound' && silence) silence.replied = true;
        if (event.type === 'optout') {
          optedOut = true;
          stops.push({ at, optedOut });
        }
        if (event.type === 'book' || event.type === 'reschedule') meeting = { start: start + Number(event.start.slice(1, -1)) * minute };
        if (event.type === 'cancel') meeting = null;
        break;
      }
      case 'message.sent': {
        // Nothing to an opted-out lead.
        expect(optedOut, `${entry.kind} sent to an opted-out lead`).toBe(false);
        if (reengagements.has(entry.kind)) {
          // Re-engagements only in a silence nobody broke, at most one of each kind, #1 before #2.
          expect(silence, 're-engagement without a silence').not.toBeNull();
          const current = silence!;
          expect(current.replied, 're-engagement after the lead replied').toBe(false);
          expect(automation, 're-engagement while automation is off').toBe('active');
          expect(current.sent, 'more than one re-engagement of a kind').not.toContain(entry.kind);
          if (entry.kind === 'reengage_2') {
            expect(current.sent).toContain('reengage_1');
            current.secondSentAt = at;
          }
          current.sent.push(entry.kind);
          expect(current.sent.length).toBeLessThanOrEqual(2);
        } else {
          // Reminders: for a meeting that stands, before it starts.
          expect(meeting, `${entry.kind} for a cancelled meeting`).not.toBeNull();
          expect(at, `${entry.kind} after the meeting started`).toBeLessThan(meeting!.start);
          if (!pauseKeepsReminders) expect(automation).toBe('active');
        }
        break;
      }
      case 'stage.changed':
        if (entry.to === 'not_interested') {
          // Give-up: only after both re-engagements of this silence went unanswered, giveUpAfter later.
          const current = silence;
          expect(current?.sent).toEqual(['reengage_1', 'reengage_2']);
          expect(current?.replied).toBe(false);
          expect(at).toBeGreaterThanOrEqual(current!.secondSentAt!);
        }
        break;
      case 'automation.changed':
        automation = entry.to;
        if (entry.to === 'stopped') stops.push({ at, optedOut });
        break;
      case 'message.scheduled':
        expect(optedOut, `${entry.kind} scheduled for an opted-out lead`).toBe(false);
        break;
      case 'message.skipped':
      case 'message.cancelled':
        break;
    }
  }
  // Pending at `at`: created by then and not settled before. A row sent or skipped at that very
  // instant was settled first (the simulator runs due messages before events of the same instant).
  const pendingAt = (row: ScheduledMessage, at: number) =>
    row.createdAt.getTime() <= at &&
    (row.status === 'pending' || row.updatedAt.getTime() > at || (row.status === 'cancelled' && row.updatedAt.getTime() === at));
  // An inbound message cancels every pending re-engagement (rule 4), at once.
  for (const at of replies) {
    for (const row of rows.filter((candidate) => !meetingKinds.has(candidate.kind) && pendingAt(candidate, at))) {
      expect([row.kind, row.status, row.cancelReason, row.updatedAt.getTime()], 'a re-engagement outlived a reply').toEqual([
        row.kind,
        'cancelled',
        'inbound',
        at,
      ]);
    }
  }
  // Stopping a lead cancels what was pending at that moment: everything on opt-out (or when
  // reminders do not outlive automation), the re-engagements in any case.
  for (const stop of stops) {
    for (const row of rows) {
      const pendingThen = pendingAt(row, stop.at);
      const performedGiveUp = row.kind === 'give_up' && row.status === 'sent' && row.updatedAt.getTime() === stop.at;
      const mayOutlive = !stop.optedOut && pauseKeepsReminders && meetingKinds.has(row.kind);
      if (!pendingThen || performedGiveUp || mayOutlive) continue;
      expect([row.kind, row.status, row.updatedAt.getTime()], 'a message left pending when the lead was stopped').toEqual([
        row.kind,
        'cancelled',
        stop.at,
      ]);
    }
  }
}

describe('follow-up invariants over random journeys', () => {
  it('hold for every journey', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const result = await simulateJourney(input);
        checkInvariants(input, result.entries, result.scheduledMessages);
      }),
      { numRuns: 120 },
    );
  }, 60_000);
});
