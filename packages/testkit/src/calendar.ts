/**
 * `runCalendarConformance`: proves a `CalendarPort` creates events idempotently by the caller's
 * id, deletes idempotently, and reports free/busy truthfully
 * (packages/core/src/ports/calendar/calendar-port.ts), and, when the port has it, tracks changes
 * (calendar-changes.ts).
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  DuplicateError,
  NotFoundError,
  type CalendarCapabilities,
  type CalendarEvent,
  type CalendarPort,
  type CreateCalendarEventInput,
} from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildCalendarEventId } from './fixtures.js';
import {
  abortedCall,
  arrange,
  expectAborted,
  expectSdrError,
  sideDoorCheck,
  skipReason,
  type ConformanceOptions,
  type SubjectBase,
} from './harness.js';

/** What `create` returns for the calendar suite. */
export interface CalendarSubject extends SubjectBase {
  /** The implementation under test. */
  readonly calendar: CalendarPort;
  /**
   * The calendar the tests write to. Without it every test uses a fresh calendar id (fine for
   * doubles; real providers need an existing calendar, ideally one per run).
   */
  readonly calendarId?: string;
}

/** Side door into the calendar's storage (the double's event table, the msw request log). */
export interface CalendarInspector<Subject extends CalendarSubject> {
  /** Every stored event of the calendar with this id, deleted ones included. */
  eventsWithId(
    subject: Subject,
    calendarId: string,
    eventId: string,
  ): Promise<readonly { readonly eventId: string; readonly status: string }[]>;
}

export interface CalendarConformanceOptions<Subject extends CalendarSubject = CalendarSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: CalendarInspector<Subject>;
  /** Overrides of the capabilities the port declares (narrow what the suite exercises). */
  readonly capabilities?: Partial<CalendarCapabilities>;
}

const minute = 60_000;
const hour = 60 * minute;

interface CalendarWorld<Subject extends CalendarSubject> {
  readonly subject: Subject;
  readonly calendar: CalendarPort;
  readonly calendarId: string;
  readonly capabilities: CalendarCapabilities;
  /** Midnight UTC of a day of this test's own, years ahead, so tests sharing a calendar do not meet. */
  readonly day: Date;
  /** `day` plus `hours`. */
  at(hours: number): Date;
  input(overrides?: Partial<CreateCalendarEventInput>): CreateCalendarEventInput;
  create(overrides?: Partial<CreateCalendarEventInput>): Promise<CalendarEvent>;
}

/**
 * Registers the `CalendarPort` conformance tests. Event times are whole minutes on a random
 * day years ahead; instants are compared to the second (Google keeps seconds).
 */
export function runCalendarConformance<Subject extends CalendarSubject>(options: CalendarConformanceOptions<Subject>): void {
  async function setup(): Promise<CalendarWorld<Subject>> {
    const subject = await arrange(options);
    const calendarId = subject.calendarId ?? `conformance-${randomUUID()}`;
    const day = new Date(Date.UTC(2040, 0, 1) + randomInt(0, 20_000) * 24 * hour);
    const at = (hours: number) => new Date(day.getTime() + hours * hour);
    const input = (overrides: Partial<CreateCalendarEventInput> = {}): CreateCalendarEventInput => ({
      calendarId,
      eventId: buildCalendarEventId(),
      start: at(10),
      end: at(11),
      summary: 'Conformance meeting',
      ...overrides,
    });
    return {
      subject,
      calendar: subject.calendar,
      calendarId,
      capabilities: { ...subject.calendar.capabilities, ...options.capabilities },
      day,
      at,
      input,
      create: (overrides) => subject.calendar.createEvent(input(overrides)),
    };
  }

  const covers = (busy: readonly { start: Date; end: Date }[], start: Date, end: Date) =>
    busy.some((interval) => interval.start.getTime() <= start.getTime() && interval.end.getTime() >= end.getTime());
  const overlaps = (busy: readonly { start: Date; end: Date }[], start: Date, end: Date) =>
    busy.some((interval) => interval.start.getTime() < end.getTime() && interval.end.getTime() > start.getTime());

  describe(`CalendarPort conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1, a provider name and boolean capabilities',
      async () => {
        const { calendar } = await setup();
        expect(calendar.contractVersion).toBe('v1');
        expect(calendar.provider.length).toBeGreaterThan(0);
        expect(typeof calendar.capabilities.conferencing).toBe('boolean');
        expect(typeof calendar.capabilities.privateProperties).toBe('boolean');
      },
      options.timeoutMs,
    );

    it(
      'reports health as up, degraded or down with a checkedAt instant',
      async () => {
        const { calendar } = await setup();
        const health = await calendar.health();
        expect(['up', 'degraded', 'down']).toContain(health.status);
        expect(health.checkedAt).toBeInstanceOf(Date);
      },
      options.timeoutMs,
    );

    it(
      'a call whose signal has already aborted rejects with an AbortedError and changes nothing',
      async (context) => {
        const world = await setup();
        const input = world.input();
        await expectAborted(world.calendar.createEvent(input, abortedCall()));
        expect(await world.calendar.getEvent({ calendarId: world.calendarId, eventId: input.eventId })).toBeNull();
        const kept = await world.create({ start: world.at(14), end: world.at(15) });
        const ref = { calendarId: world.calendarId, eventId: kept.eventId };
        await expectAborted(world.calendar.updateEvent({ ...ref, summary: 'Changed while aborted' }, abortedCall()));
        await expectAborted(world.calendar.deleteEvent(ref, abortedCall()));
        expect(await world.calendar.getEvent(ref)).toMatchObject({ summary: kept.summary, status: kept.status });
        const range = { calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) };
        await expectAborted(world.calendar.getEvent(ref, abortedCall()));
        await expectAborted(world.calendar.freeBusy(range, abortedCall()));
        await expectAborted(world.calendar.listEvents(range, abortedCall()));
        await expectAborted(world.calendar.health(abortedCall()));
        await sideDoorCheck(context, options.inspect, 'no event stored for the aborted create', async (inspect) => {
          expect(await inspect.eventsWithId(world.subject, world.calendarId, input.eventId)).toEqual([]);
        });
      },
      options.timeoutMs,
    );

    it(
      "createEvent uses the caller's id and returns the live event; getEvent reads the same",
      async () => {
        const world = await setup();
        const input = world.input({ description: 'Booked by the conformance suite' });
        const event = await world.calendar.createEvent(input);
        expect(event).toMatchObject({
          calendarId: world.calendarId,
          eventId: input.eventId,
          summary: input.summary,
          description: input.description,
        });
        expect(event.start.getTime()).toBe(input.start.getTime());
        expect(event.end.getTime()).toBe(input.end.getTime());
        expect(['confirmed', 'tentative']).toContain(event.status);
        const read = await world.calendar.getEvent({ calendarId: world.calendarId, eventId: input.eventId });
        expect(read).toMatchObject({ eventId: input.eventId, status: event.status, summary: input.summary });
        expect(read?.start.getTime()).toBe(input.start.getTime());
      },
      options.timeoutMs,
    );

    it(
      'creating an existing id again throws DuplicateError, creates nothing, and getEvent returns the first event',
      async (context) => {
        const world = await setup();
        const first = await world.create({ summary: 'First' });
        await expectSdrError(
          world.create({ eventId: first.eventId, summary: 'Second', start: world.at(14), end: world.at(15) }),
          DuplicateError,
        );
        expect((await world.calendar.getEvent({ calendarId: world.calendarId, eventId: first.eventId }))?.summary).toBe('First');
        const listed = await world.calendar.listEvents({ calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) });
        expect(listed.filter((event) => event.eventId === first.eventId)).toHaveLength(1);
        expect(listed.filter((event) => event.summary === 'Second')).toEqual([]);
        await sideDoorCheck(context, options.inspect, 'one stored event with that id', async (inspect) => {
          expect(await inspect.eventsWithId(world.subject, world.calendarId, first.eventId)).toHaveLength(1);
        });
      },
      options.timeoutMs,
    );

    it(
      'deleteEvent is idempotent: true, then false; a never-existing id is false too',
      async () => {
        const world = await setup();
        const event = await world.create();
        const ref = { calendarId: world.calendarId, eventId: event.eventId };
        expect(await world.calendar.deleteEvent(ref)).toEqual({ deleted: true });
        expect(await world.calendar.deleteEvent(ref)).toEqual({ deleted: false });
        expect(await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: buildCalendarEventId() })).toEqual({
          deleted: false,
        });
      },
      options.timeoutMs,
    );

    it(
      'getEvent returns a deleted event with status cancelled, and null for an id that never existed',
      async () => {
        const world = await setup();
        const event = await world.create();
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: event.eventId });
        expect((await world.calendar.getEvent({ calendarId: world.calendarId, eventId: event.eventId }))?.status).toBe('cancelled');
        expect(await world.calendar.getEvent({ calendarId: world.calendarId, eventId: buildCalendarEventId() })).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      're-creating a deleted id throws DuplicateError and leaves it cancelled',
      async () => {
        const world = await setup();
        const event = await world.create();
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: event.eventId });
        await expectSdrError(world.create({ eventId: event.eventId }), DuplicateError);
        expect((await world.calendar.getEvent({ calendarId: world.calendarId, eventId: event.eventId }))?.status).toBe('cancelled');
      },
      options.timeoutMs,
    );

    it(
      'updateEvent patches only the given fields of a live event',
      async () => {
        const world = await setup();
        const event = await world.create({ summary: 'Before', description: 'kept' });
        const updated = await world.calendar.updateEvent({
          calendarId: world.calendarId,
          eventId: event.eventId,
          summary: 'After',
          start: world.at(12),
          end: world.at(13),
        });
        expect(updated).toMatchObject({ eventId: event.eventId, summary: 'After', description: 'kept' });
        expect(updated.start.getTime()).toBe(world.at(12).getTime());
        const busy = await world.calendar.freeBusy({ calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) });
        expect(covers(busy, world.at(12), world.at(13))).toBe(true);
        expect(overlaps(busy, world.at(10), world.at(11))).toBe(false);
      },
      options.timeoutMs,
    );

    it(
      'updateEvent of a missing or deleted event throws NotFoundError',
      async () => {
        const world = await setup();
        await expectSdrError(
          world.calendar.updateEvent({ calendarId: world.calendarId, eventId: buildCalendarEventId(), summary: 'x' }),
          NotFoundError,
        );
        const event = await world.create();
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: event.eventId });
        await expectSdrError(
          world.calendar.updateEvent({ calendarId: world.calendarId, eventId: event.eventId, summary: 'x' }),
          NotFoundError,
        );
      },
      options.timeoutMs,
    );

    it(
      'freeBusy reports created events as busy, in time order, and deleted ones no longer',
      async () => {
        const world = await setup();
        await world.create({ start: world.at(14), end: world.at(15) });
        await world.create({ start: world.at(9), end: world.at(10) });
        const removed = await world.create({ start: world.at(11), end: world.at(12) });
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: removed.eventId });
        const busy = await world.calendar.freeBusy({ calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) });
        expect(covers(busy, world.at(9), world.at(10))).toBe(true);
        expect(covers(busy, world.at(14), world.at(15))).toBe(true);
        expect(overlaps(busy, world.at(11), world.at(12))).toBe(false);
        const starts = busy.map((interval) => interval.start.getTime());
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
      },
      options.timeoutMs,
    );

    it(
      'freeBusy reports events that straddle the range: a meeting across midnight, a whole-day block',
      async () => {
        const world = await setup();
        await world.create({ start: world.at(23), end: world.at(25) });
        await world.create({ start: world.at(48), end: world.at(72) });
        const query = (fromHours: number, toHours: number) =>
          world.calendar.freeBusy({ calendarId: world.calendarId, timeMin: world.at(fromHours), timeMax: world.at(toHours) });
        const firstDay = await query(0, 24);
        expect(covers(firstDay, world.at(23), world.at(24))).toBe(true);
        expect(overlaps(firstDay, world.at(0), world.at(23))).toBe(false);
        const secondDay = await query(24, 48);
        expect(covers(secondDay, world.at(24), world.at(25))).toBe(true);
        expect(overlaps(secondDay, world.at(25), world.at(48))).toBe(false);
        expect(covers(await query(50, 60), world.at(50), world.at(60))).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'freeBusy and listEvents keep to [timeMin, timeMax): an event ending at timeMin or starting at timeMax is outside',
      async () => {
        const world = await setup();
        const morning = await world.create({ start: world.at(9), end: world.at(10) });
        const noon = await world.create({ start: world.at(12), end: world.at(13) });
        const inside = { calendarId: world.calendarId, timeMin: world.at(9.5), timeMax: world.at(11) };
        const between = { calendarId: world.calendarId, timeMin: world.at(10), timeMax: world.at(12) };
        expect((await world.calendar.listEvents(inside)).map((event) => event.eventId)).toEqual([morning.eventId]);
        expect(await world.calendar.listEvents(between)).toEqual([]);
        const busy = await world.calendar.freeBusy(inside);
        expect(covers(busy, world.at(9.5), world.at(10))).toBe(true);
        expect(overlaps(busy, world.at(12), world.at(13))).toBe(false);
        expect(await world.calendar.freeBusy(between)).toEqual([]);
        const wholeDay = await world.calendar.listEvents({ calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) });
        expect(wholeDay.map((event) => event.eventId).sort()).toEqual([morning.eventId, noon.eventId].sort());
      },
      options.timeoutMs,
    );

    it(
      'listEvents leaves deleted events out',
      async () => {
        const world = await setup();
        const kept = await world.create({ start: world.at(9), end: world.at(10) });
        const removed = await world.create({ start: world.at(10), end: world.at(11) });
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: removed.eventId });
        const listed = await world.calendar.listEvents({ calendarId: world.calendarId, timeMin: world.at(0), timeMax: world.at(24) });
        expect(listed.map((event) => event.eventId)).toEqual([kept.eventId]);
      },
      options.timeoutMs,
    );

    it(
      'stores privateProperties (capabilities.privateProperties)',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.privateProperties) context.skip(skipReason('privateProperties', 'capabilities.privateProperties is false'));
        const appointmentId = randomUUID();
        const event = await world.create({ privateProperties: { appointmentId } });
        expect(event.privateProperties).toMatchObject({ appointmentId });
        expect((await world.calendar.getEvent({ calendarId: world.calendarId, eventId: event.eventId }))?.privateProperties).toMatchObject({
          appointmentId,
        });
      },
      options.timeoutMs,
    );

    it(
      'creates a video-meeting link on request (capabilities.conferencing)',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.conferencing) context.skip(skipReason('conferencing', 'capabilities.conferencing is false'));
        const event = await world.create({ conferencing: true });
        expect(event.conferenceUrl).toMatch(/^https?:\/\//);
      },
      options.timeoutMs,
    );

    it(
      'listChanges (optional): a full sync gives a sync token; the next sync reports events created and deleted since',
      async (context) => {
        const world = await setup();
        const listChanges = world.calendar.listChanges?.bind(world.calendar);
        if (listChanges === undefined) return context.skip(skipReason('listChanges', 'the port does not track changes (optional)'));
        const removed = await world.create({ start: world.at(9), end: world.at(10) });
        const full = await listChanges({ calendarId: world.calendarId });
        expect(full.nextSyncToken.length).toBeGreaterThan(0);
        expect(full.changes).toContainEqual(
          expect.objectContaining({ kind: 'changed', event: expect.objectContaining({ eventId: removed.eventId }) as unknown }),
        );
        const added = await world.create({ start: world.at(12), end: world.at(13) });
        await world.calendar.deleteEvent({ calendarId: world.calendarId, eventId: removed.eventId });
        const next = await listChanges({ calendarId: world.calendarId, syncToken: full.nextSyncToken });
        expect(next.changes).toContainEqual(expect.objectContaining({ kind: 'deleted', eventId: removed.eventId }));
        const changed = next.changes.flatMap((change) => (change.kind === 'changed' ? [change.event.eventId] : []));
        expect(changed).toContain(added.eventId);
        expect(changed).not.toContain(removed.eventId);
      },
      options.timeoutMs,
    );
  });
}
