/**
 * The integration descriptor (core's `AdapterPlugin`): how the server configures Google Calendar
 * for a tenant (`PUT /v1/integrations/calendar` with `{ "provider": "google", "config": { … } }`).
 * The client secret, refresh token, private key and channel token are `secret` fields.
 */
import {
  AuthError,
  ProviderError,
  ProviderUnavailableError,
  ValidationError,
  secret,
  type AdapterPlugin,
  type PluginDeps,
} from '@sdr/core';
import { z } from 'zod';
import { createGoogleCalendar, type GoogleCalendar } from './google-calendar.js';
import { isGooglePushAddress, openGoogleWatchChannel, stopGoogleWatchChannel } from './google-calendar-watch.js';

const httpUrl = (description: string) => z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).describe(description);

/** How the tenant's calendar is reached: a user's OAuth grant, or a service account. */
export const googleCalendarAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('oauth'),
    clientId: z.string().trim().min(1).max(300).describe('OAuth client id'),
    // `secret` goes last: every zod method returns a new schema, which would not carry the mark.
    clientSecret: secret(z.string().min(1).max(300).describe('OAuth client secret')),
    refreshToken: secret(z.string().min(1).max(2000).describe('Refresh token with the calendar scope (offline access)')),
  }),
  z.strictObject({
    type: z.literal('service_account'),
    clientEmail: z.email({ error: 'must be the service account e-mail address' }).describe('client_email of the service account key'),
    privateKey: secret(
      z
        .string()
        .refine((key) => key.includes('-----BEGIN PRIVATE KEY-----'), 'must be the PEM private_key of the service account key')
        .describe('private_key of the service account key (PEM)'),
    ),
    subject: z
      .email({ error: 'must be the e-mail address of the user to act as' })
      .optional()
      .describe('User to act as (domain-wide delegation)'),
  }),
]);

/** The tenant's Google Calendar settings. */
export const googleCalendarConfigSchema = z.strictObject({
  calendarId: z.string().trim().min(1).max(500).describe('The calendar to book into (an e-mail-like id, or primary)'),
  auth: googleCalendarAuthSchema,
  rootUrl: httpUrl('API root for a proxy (default https://www.googleapis.com/)').optional(),
  tokenUrl: httpUrl('Token endpoint (default https://oauth2.googleapis.com/token)').optional(),
  sendUpdates: z
    .enum(['all', 'externalOnly', 'none'])
    .default('none')
    .describe('Who Google e-mails about created, moved and deleted events'),
  conference: z.boolean().default(false).describe('Add a Google Meet link to every event'),
  /** Push notifications of changes made in Google Calendar; without it the host syncs on a timer. */
  watch: z
    .strictObject({
      token: secret(z.string().min(16, 'must be at least 16 characters').max(256).describe('Secret every notification echoes')),
      ttlSeconds: z.number().int().min(300).max(2_592_000).optional().describe('Asked channel lifetime in seconds'),
    })
    .optional(),
});

/** Parsed Google Calendar settings. */
export type GoogleCalendarConfig = z.output<typeof googleCalendarConfigSchema>;

type GoogleCalendarAdapterPlugin = AdapterPlugin<'calendar', GoogleCalendarConfig, GoogleCalendar>;

/** The Google Calendar plugin: kind `calendar`, provider `google`. */
export interface GoogleCalendarPlugin extends GoogleCalendarAdapterPlugin {
  create(config: GoogleCalendarConfig, deps: PluginDeps): GoogleCalendar;
  readonly validate: NonNullable<GoogleCalendarAdapterPlugin['validate']>;
  readonly onConfigured: NonNullable<GoogleCalendarAdapterPlugin['onConfigured']>;
  readonly onRemoved: NonNullable<GoogleCalendarAdapterPlugin['onRemoved']>;
}

/** The lock every process refreshing a tenant's Google token takes. */
export const googleTokenLockKey = (tenantId: string): string => `credentials:google-calendar:${tenantId}`;

const plugin: GoogleCalendarPlugin = {
  contractVersion: 'v1',
  kind: 'calendar',
  provider: 'google',
  displayName: 'Google Calendar',
  configSchema: googleCalendarConfigSchema,

  /** Wires the port; no I/O. */
  create(config, deps) {
    return createGoogleCalendar({
      auth: config.auth,
      calendarId: config.calendarId,
      sendUpdates: config.sendUpdates,
      conference: config.conference,
      clock: deps.clock,
      tokenPersistence: { store: deps.credentials, lock: deps.lock, lockKey: googleTokenLockKey(deps.tenantId) },
      ...(config.rootUrl === undefined ? {} : { rootUrl: config.rootUrl }),
      ...(config.tokenUrl === undefined ? {} : { tokenUrl: config.tokenUrl }),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  },

  /** The credentials accepted and the calendar's free/busy readable; a `ValidationError` naming the setting otherwise. */
  async validate(config, deps) {
    const calendar = plugin.create(config, deps);
    const now = deps.clock.now();
    try {
      await calendar.freeBusy({ calendarId: config.calendarId, timeMin: now, timeMax: new Date(now.getTime() + 3_600_000) });
    } catch (error) {
      if (AuthError.isInstance(error)) throw ValidationError.forField('config.auth', `was refused by Google: ${error.message}`);
      if (ProviderError.isInstance(error) && error.status === 200) {
        throw ValidationError.forField(
          'config.calendarId',
          `cannot be read with these credentials (${error.message}); share the calendar with them`,
        );
      }
      if (ProviderUnavailableError.isInstance(error))
        throw ValidationError.forField(config.rootUrl ? 'config.rootUrl' : 'config.auth', `could not reach Google: ${error.message}`);
      throw error;
    }
  },

  /**
   * Opens the push channel when `watch` is set and the host's notification URL is HTTPS (Google
   * calls nothing else), stopping one opened before; otherwise the host syncs on a timer.
   */
  async onConfigured(input) {
    const { config, deps } = input;
    if (config.watch === undefined) return;
    if (!isGooglePushAddress(input.webhookUrl)) {
      deps.logger.info(
        { tenantId: deps.tenantId, provider: 'google' },
        'no public HTTPS URL for Google Calendar notifications: changes are synced on a timer',
      );
      return;
    }
    const channel = await openGoogleWatchChannel({
      calendar: plugin.create(config, deps),
      store: deps.credentials,
      calendarId: config.calendarId,
      address: input.webhookUrl,
      token: config.watch.token,
      ttlSeconds: config.watch.ttlSeconds,
      logger: deps.logger,
      ...(input.signal ? { options: { signal: input.signal } } : {}),
    });
    deps.logger.info(
      { tenantId: deps.tenantId, provider: 'google', channelId: channel.channelId, expiresAt: channel.expiresAt },
      'Google Calendar push channel opened',
    );
  },

  /** Stops the push channel, if one is open. */
  async onRemoved(input) {
    await stopGoogleWatchChannel({
      calendar: plugin.create(input.config, input.deps),
      store: input.deps.credentials,
      ...(input.signal ? { options: { signal: input.signal } } : {}),
    });
  },
};

/** Google Calendar v3. */
export const googleCalendarPlugin: GoogleCalendarPlugin = Object.freeze(plugin);
