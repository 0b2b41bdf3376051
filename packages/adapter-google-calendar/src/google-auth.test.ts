/**
 * Authentication on the wire: OAuth tokens shared between processes through the
 * `CredentialStore`, and a service account's signed assertion (with `subject`) sent to the
 * configured token endpoint.
 */
import { generateKeyPairSync } from 'node:crypto';
import { systemClock } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { defaultGoogleTokenUrl, googleCalendarScope, googleOAuthCredentialKey } from './google-auth.js';
import { at, portOn, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();
const range = { calendarId: 'primary', timeMin: at(0), timeMax: at(24) };

describe('OAuth refresh token', () => {
  it('persists the refreshed access token: a second process uses it instead of refreshing again', async () => {
    const store = createInMemoryCredentialStore();
    const lock = createInMemoryLock({ clock: systemClock });
    const tokenPersistence = { store, lock, lockKey: 'credentials:google-calendar:tenant-1' };
    const first = portOn(fake, { tokenPersistence });
    const second = portOn(fake, { tokenPersistence });
    await Promise.all([first.freeBusy(range), second.freeBusy(range), first.freeBusy(range)]);
    expect(requestsTo(fake, 'POST', 'token')).toHaveLength(1);
    const stored = await store.get(googleOAuthCredentialKey);
    expect(stored?.value).toMatchObject({
      accessToken: expect.stringMatching(/^ya29\.fake-/) as unknown,
      expiresAt: expect.any(Number) as unknown,
    });
    expect(JSON.stringify(stored?.value)).not.toContain('refresh-token-1');
    const tokens = new Set(requestsTo(fake, 'POST', 'calendar/v3/freeBusy').map((request) => request.headers.get('authorization')));
    expect(tokens.size).toBe(1);
  });

  it('a token Google rejects with 401 is replaced in the store', async () => {
    const store = createInMemoryCredentialStore();
    const tokenPersistence = { store, lock: createInMemoryLock({ clock: systemClock }), lockKey: 'credentials:google-calendar:tenant-2' };
    const port = portOn(fake, { tokenPersistence });
    await port.freeBusy(range);
    const before = await store.get(googleOAuthCredentialKey);
    fake.revokeAccessTokens();
    await port.freeBusy(range);
    const after = await store.get(googleOAuthCredentialKey);
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(after?.value.accessToken).not.toBe(before?.value.accessToken);
  });
});

describe('service account', () => {
  it('posts a signed JWT-bearer assertion with the subject to the configured token URL', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const port = portOn(fake, {
      auth: {
        type: 'service_account',
        clientEmail: 'booking@project.iam.gserviceaccount.com',
        privateKey: pem,
        subject: 'sales@example.com',
      },
    });
    await port.freeBusy(range);
    const [tokenRequest] = requestsTo(fake, 'POST', 'token');
    const body = tokenRequest?.body as Record<string, string>;
    expect(body.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [, payload] = (body.assertion ?? '').split('.');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toMatchObject({
      iss: 'booking@project.iam.gserviceaccount.com',
      sub: 'sales@example.com',
      scope: googleCalendarScope,
      aud: defaultGoogleTokenUrl,
    });
    expect(requestsTo(fake, 'POST', 'calendar/v3/freeBusy')[0]?.headers.get('authorization')).toMatch(/^Bearer ya29\.fake-/);
  });
});
