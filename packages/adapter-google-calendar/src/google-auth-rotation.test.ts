/**
 * A refresh token Google rotates (it may, on any refresh) is kept in the `CredentialStore`, so the
 * next refresh — in this process or another — uses it instead of the one configured.
 */
import { systemClock } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { googleOAuthCredentialKey } from './google-auth.js';
import { at, portOn, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle({ rotateRefreshTokens: true });
const range = { calendarId: 'primary', timeMin: at(0), timeMax: at(24) };

describe('OAuth refresh token rotation', () => {
  it('a refresh token Google rotated is stored and used by the next refresh, in another process too', async () => {
    const store = createInMemoryCredentialStore();
    const tokenPersistence = { store, lock: createInMemoryLock({ clock: systemClock }), lockKey: 'credentials:google-calendar:tenant-3' };
    const options = { tokenPersistence };
    await portOn(fake, options).freeBusy(range);
    const stored = await store.get(googleOAuthCredentialKey);
    expect(stored?.value.refreshToken).toMatch(/^1\/\/fake-rotated-/);
    fake.revokeAccessTokens();
    await portOn(fake, options).freeBusy(range);
    const refreshes = requestsTo(fake, 'POST', 'token').map((request) => (request.body as Record<string, string>).refresh_token);
    expect(refreshes).toEqual(['refresh-token-1', stored?.value.refreshToken]);
    expect((await store.get(googleOAuthCredentialKey))?.value.refreshToken).not.toBe(stored?.value.refreshToken);
  });
});
