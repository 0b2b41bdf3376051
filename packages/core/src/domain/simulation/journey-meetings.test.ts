import { describe, expect, it } from 'vitest';
import { SlotUnavailableError, ValidationError } from '../../errors/index.js';
import type { ScenarioEventInput } from './scenario-schema.js';
import { simulateJourney } from './simulate-journey.js';

/** Open Monday and Tuesday only, with 15 minutes kept free after every meeting. */
const tenant = {
  timeZone: 'America/Sao_Paulo',
  businessHours: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']] },
  booking: { bufferAfter: '15m' },
};

function journey(events: ScenarioEventInput[]) {
  return simulateJourney({
    tenant,
    lead: { name: 'Ana', phone: '+55 11 98765-4321' },
    start: '2026-03-02T13:00:00Z',
    until: '+4d',
    events,
  });
}

const remindersOf = (result: Awaited<ReturnType<typeof journey>>) =>
  result.scheduledMessages.map((message) => [message.kind, message.status, message.dueAt.toISOString()]);

describe('simulateJourney: meetings through the booking service', () => {
  it('a scenario’s meeting is a fact: booked on a Wednesday outside the hours, then moved to 45 minutes ahead', async () => {
    const result = await journey([
      { at: '+1h', type: 'book', start: '2026-03-04T17:00:00Z' },
      { at: '2026-03-04T14:00:00Z', type: 'reschedule', start: '2026-03-04T14:45:00Z' },
    ]);
    expect(result.lead.stage).toBe('meeting_scheduled');
    // The reminders of the first time, the 2-hour one withdrawn by the move; none for a meeting
    // less than two hours away.
    expect(remindersOf(result)).toEqual([
      ['reminder_24h', 'sent', '2026-03-03T17:00:00.000Z'],
      ['reminder_2h', 'cancelled', '2026-03-04T15:00:00.000Z'],
    ]);
  });

  it('a meeting within the buffer of the one before is refused like any impossible event, naming its start', async () => {
    const error: unknown = await journey([
      { at: '+1h', type: 'book', start: '+2h' },
      // The first meeting ends at +2h30; with 15 minutes after it, +2h40 is still taken.
      { at: '+2h35m', type: 'book', start: '+2h40m' },
    ]).catch((refused: unknown) => refused);
    expect(ValidationError.isInstance(error) && error.fieldErrors).toEqual([
      { field: 'events.1.start', message: 'cannot be booked: the time is taken by another meeting or its buffers' },
    ]);
    expect(SlotUnavailableError.isInstance((error as ValidationError).cause)).toBe(true);
  });

  it('the next meeting after the buffer, and a move that overlaps the meeting it moves, are fine', async () => {
    const result = await journey([
      { at: '+1h', type: 'book', start: '+2h' },
      { at: '+2h35m', type: 'book', start: '+2h45m' },
      { at: '+2h40m', type: 'reschedule', start: '+2h55m' },
      { at: '+2h50m', type: 'cancel' },
    ]);
    expect(result.lead.stage).toBe('meeting_scheduled');
    expect(result.entries.filter((entry) => entry.type === 'event')).toHaveLength(4);
  });
});
