/**
 * The testkit's `CalendarPort` suite over a stateful Google Calendar: the fake behind msw, on the
 * wire, tokens from its token endpoint. The side door reads the fake's event table.
 */
import { runCalendarConformance } from '@sdr/testkit';
import { portOn, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();

runCalendarConformance({
  name: 'google calendar (stateful fake on msw)',
  create: () => ({ calendar: portOn(fake) }),
  inspect: {
    eventsWithId: (_subject, calendarId, eventId) =>
      Promise.resolve(
        fake
          .events(calendarId)
          .filter((event) => event.id === eventId)
          .map((event) => ({ eventId: event.id, status: event.status })),
      ),
  },
});
