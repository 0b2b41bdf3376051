/**
 * Test helpers of `@sdr/adapter-google-calendar`: a stateful fake Google Calendar and token
 * endpoint (a Fetch API handler). For tests and benches only.
 * @packageDocumentation
 */
export {
  createFakeGoogleCalendar,
  type FakeGoogleCalendar,
  type FakeGoogleCalendarOptions,
  type FakeGoogleEvent,
  type FakeGoogleFault,
  type FakeGoogleOperation,
  type FakeGoogleRequest,
} from './fake-google-calendar.js';
export {
  startFakeGoogleCalendarServer,
  type FakeGoogleCalendarServer,
  type FakeGoogleCalendarServerOptions,
} from './fake-google-calendar-server.js';
