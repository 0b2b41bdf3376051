/**
 * `@sdr/adapter-google-calendar`: Google Calendar v3 for `@sdr` — the `CalendarPort` (with change
 * tracking and push channels), its errors and retry policy, and the integration plugin. A
 * stateful fake Google Calendar for tests is exported from `@sdr/adapter-google-calendar/testing`.
 * @packageDocumentation
 */
export {
  createGoogleCalendar,
  defaultGoogleRootUrl,
  normaliseRootUrl,
  type GoogleCalendar,
  type GoogleCalendarOptions,
  type GoogleSendUpdates,
} from './google-calendar.js';
export {
  createGoogleAccessTokens,
  type GoogleAccessTokensOptions,
  defaultGoogleTokenUrl,
  googleCalendarScope,
  googleOAuthCredentialKey,
  type GoogleAccessTokens,
  type GoogleCalendarAuth,
  type GoogleTokenPersistence,
} from './google-auth.js';
export {
  defaultGoogleCalendarRetryPolicy,
  googleCalendarProvider,
  googleErrorReasons,
  googleRateLimitReasons,
  parseRetryAfter,
  toGoogleCalendarError,
  type GoogleCalendarErrorContext,
  type GoogleCalendarFailure,
} from './google-calendar-errors.js';
export { defaultWatchTtlSeconds, type GoogleCalendarChanges } from './google-calendar-changes.js';
export { mapGoogleEvent, googleEventInsertBody, googleEventPatchBody, instantOf, mapBusy } from './map-google-calendar-event.js';
export * from './google-calendar-api.js';
export {
  checkGoogleNotification,
  isGooglePushAddress,
  googleWatchCredentialKey,
  openGoogleWatchChannel,
  readGoogleWatchChannel,
  stopGoogleWatchChannel,
  type GoogleNotificationCheck,
  type GoogleWatchInput,
  type StoredGoogleWatchChannel,
} from './google-calendar-watch.js';
export {
  googleCalendarAuthSchema,
  googleCalendarConfigSchema,
  googleCalendarPlugin,
  googleTokenLockKey,
  type GoogleCalendarConfig,
  type GoogleCalendarPlugin,
} from './google-calendar-plugin.js';
