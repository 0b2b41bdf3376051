/**
 * Google Calendar in the server: push notifications (`POST /webhooks/google/calendar/{tenantId}`),
 * channel renewal and the timer sync of calendars without a channel.
 */
export {
  createGoogleCalendarSync,
  type GoogleCalendarPassReport,
  type GoogleCalendarSync,
  type GoogleCalendarSyncOptions,
  type GoogleCalendarTenant,
  type GoogleNotificationVerdict,
} from './google-calendar-sync.js';
export {
  createGoogleCalendarWebhookRoutes,
  type GoogleCalendarWebhookAnswer,
  type GoogleCalendarWebhookRoutesOptions,
} from './google-calendar-webhook-route.js';

/** Where Google posts a tenant's calendar notifications. */
export const googleCalendarWebhookUrl = (publicBaseUrl: string, tenantId: string): string =>
  `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/google/calendar/${tenantId}`;
