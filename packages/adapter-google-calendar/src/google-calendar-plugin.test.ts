/**
 * The plugin: its configuration schema (secrets marked, bad input named), `create` wired to the
 * host's credential store, `validate` naming the setting Google refused, and the push channel
 * opened on configure, renewed by reopening, stopped on removal; notifications checked.
 */
import { ValidationError, noopLogger, redactSecrets, secretValuesOf, systemClock, validatePluginConfig, type PluginDeps } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock, createInMemoryRateLimiter } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { googleOAuthCredentialKey } from './google-auth.js';
import { googleCalendarPlugin } from './google-calendar-plugin.js';
import { checkGoogleNotification, readGoogleWatchChannel } from './google-calendar-watch.js';
import { at, rejection, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();

function deps(): PluginDeps {
  return {
    tenantId: 't1',
    clock: systemClock,
    logger: noopLogger,
    lock: createInMemoryLock({ clock: systemClock }),
    rateLimiter: createInMemoryRateLimiter({ clock: systemClock }),
    credentials: createInMemoryCredentialStore(),
  };
}

const parse = (value: unknown) => validatePluginConfig(googleCalendarPlugin, value);
const oauthInput = {
  calendarId: 'sales@example.com',
  auth: { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-token-1' },
  rootUrl: fake.rootUrl,
  tokenUrl: fake.tokenUrl,
  watch: { token: 'channel-token-0123456789' },
};

describe('googleCalendarPlugin configuration', () => {
  it('is kind calendar, provider google, with defaults and every secret marked', () => {
    expect(googleCalendarPlugin).toMatchObject({ contractVersion: 'v1', kind: 'calendar', provider: 'google' });
    const config = parse(oauthInput);
    expect(config).toMatchObject({ sendUpdates: 'none', conference: false });
    expect(secretValuesOf(googleCalendarPlugin.configSchema, config).sort()).toEqual([
      'channel-token-0123456789',
      'client-secret-1',
      'refresh-token-1',
    ]);
    expect(JSON.stringify(redactSecrets(googleCalendarPlugin.configSchema, config))).not.toContain('refresh-token-1');
    const serviceAccount = parse({
      calendarId: 'primary',
      auth: {
        type: 'service_account',
        clientEmail: 'bot@project.iam.gserviceaccount.com',
        privateKey: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
      },
    });
    expect(secretValuesOf(googleCalendarPlugin.configSchema, serviceAccount)).toHaveLength(1);
  });

  it('names each bad field without echoing its value', () => {
    const error = (() => {
      try {
        parse({
          calendarId: '',
          auth: { type: 'service_account', clientEmail: 'nope', privateKey: 'not-a-pem-secret' },
          sendUpdates: 'everyone',
        });
      } catch (thrown) {
        return thrown;
      }
      return null;
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    const fields = (error as ValidationError).fieldErrors.map((fieldError) => fieldError.field);
    expect(fields).toEqual(
      expect.arrayContaining(['config.calendarId', 'config.auth.clientEmail', 'config.auth.privateKey', 'config.sendUpdates']),
    );
    expect(JSON.stringify(error)).not.toContain('not-a-pem-secret');
  });
});

describe('googleCalendarPlugin at run time', () => {
  it('create builds a port whose refreshed token lands in the host credential store', async () => {
    const host = deps();
    const calendar = googleCalendarPlugin.create(parse(oauthInput), host);
    await calendar.freeBusy({ calendarId: 'sales@example.com', timeMin: at(0), timeMax: at(1) });
    expect((await host.credentials.get(googleOAuthCredentialKey))?.value.accessToken).toMatch(/^ya29\./);
  });

  it('validate names config.calendarId when free/busy reports an error for it, and config.auth when the grant is refused', async () => {
    fake.markUnreadable('sales@example.com', 'notFound');
    const unreadable = await rejection(googleCalendarPlugin.validate(parse(oauthInput), deps()));
    expect((unreadable as ValidationError).fieldErrors[0]?.field).toBe('config.calendarId');
    const refused = await rejection(
      googleCalendarPlugin.validate(parse({ ...oauthInput, auth: { ...oauthInput.auth, refreshToken: 'revoked' } }), deps()),
    );
    expect((refused as ValidationError).fieldErrors[0]?.field).toBe('config.auth');
  });

  it('onConfigured opens a channel and stores it; again, it opens a new one and stops the old; onRemoved stops it', async () => {
    const host = deps();
    const config = parse(oauthInput);
    const webhookUrl = 'https://sdr.example.com/webhooks/google/calendar/t1';
    await googleCalendarPlugin.onConfigured({ config, deps: host, webhookUrl });
    const first = await readGoogleWatchChannel(host.credentials);
    expect(first).toMatchObject({ calendarId: 'sales@example.com', resourceId: 'resource-sales@example.com' });
    expect(requestsTo(fake, 'POST', 'events/watch')[0]?.body).toMatchObject({
      address: webhookUrl,
      token: 'channel-token-0123456789',
      type: 'web_hook',
    });

    await googleCalendarPlugin.onConfigured({ config, deps: host, webhookUrl });
    const second = await readGoogleWatchChannel(host.credentials);
    expect(second?.channelId).not.toBe(first?.channelId);
    expect([...fake.channels.keys()]).toEqual([second?.channelId]);

    await googleCalendarPlugin.onRemoved({ config, deps: host });
    expect(fake.channels.size).toBe(0);
    expect(await readGoogleWatchChannel(host.credentials)).toBeNull();
  });

  it('onConfigured opens no channel when the host has no HTTPS URL (Google would refuse it): the host syncs on a timer', async () => {
    const host = deps();
    await googleCalendarPlugin.onConfigured({
      config: parse(oauthInput),
      deps: host,
      webhookUrl: 'http://127.0.0.1:3000/webhooks/google/calendar/t1',
    });
    expect(requestsTo(fake, 'POST', 'events/watch')).toEqual([]);
    expect(await readGoogleWatchChannel(host.credentials)).toBeNull();
  });

  it('checkGoogleNotification accepts the stored channel with its token only', () => {
    const expected = { channelId: 'channel-1', token: 'channel-token-0123456789' };
    const headers = (values: Record<string, string>) => new Headers(values);
    expect(
      checkGoogleNotification(
        headers({
          'x-goog-channel-id': 'channel-1',
          'x-goog-channel-token': expected.token,
          'x-goog-resource-state': 'exists',
          'x-goog-message-number': '7',
        }),
        expected,
      ),
    ).toEqual({ ok: true, state: 'exists', messageNumber: 7 });
    expect(
      checkGoogleNotification(headers({ 'x-goog-channel-id': 'channel-2', 'x-goog-channel-token': expected.token }), expected),
    ).toEqual({
      ok: false,
      reason: 'unknown_channel',
    });
    expect(checkGoogleNotification(headers({ 'x-goog-channel-id': 'channel-1', 'x-goog-channel-token': 'wrong' }), expected)).toEqual({
      ok: false,
      reason: 'bad_token',
    });
  });
});
