/**
 * OAuth on the wire: the token endpoint's request, the rotated refresh token kept in the
 * credential store, a refresh before expiry, one refresh after a 401 (and no second), and two
 * processes refreshing at once making one refresh.
 */
import { AuthError, VirtualClock } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { crmOn, rejection, requestsTo, unlimitedRateLimiter, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { kommoOAuthCredentialKey } from './kommo-auth.js';
import { fakeKommoOAuthClient } from './testing/index.js';

const fake = useFakeKommo();

function oauthWorld() {
  const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
  const credentials = createInMemoryCredentialStore({ clock });
  const lock = createInMemoryLock({ clock });
  const refreshToken = fake.issueRefreshToken();
  const crm = () =>
    crmOn(fake, {
      auth: { type: 'oauth', ...fakeKommoOAuthClient, refreshToken },
      credentials,
      lock,
      clock,
      rateLimiter: unlimitedRateLimiter,
    });
  return { clock, credentials, crm, refreshToken };
}

describe('OAuth', () => {
  it('exchanges the configured refresh token, sends the access token, and keeps the rotated refresh token', async () => {
    const world = oauthWorld();
    await world.crm().listPipelines();
    const [token] = requestsTo(fake, 'oauth.token');
    expect(token?.method).toBe('POST');
    expect(token?.path).toBe('/oauth2/access_token');
    expect(token?.authorization).toBeNull();
    expect(token?.body).toEqual({
      client_id: fakeKommoOAuthClient.clientId,
      client_secret: fakeKommoOAuthClient.clientSecret,
      redirect_uri: fakeKommoOAuthClient.redirectUri,
      grant_type: 'refresh_token',
      refresh_token: world.refreshToken,
    });
    const stored = await world.credentials.get(kommoOAuthCredentialKey);
    expect(stored?.value.refreshToken).not.toBe(world.refreshToken);
    expect(stored?.value.expiresAt).toBe(world.clock.now().getTime() + 86_400_000);
    expect(requestsTo(fake, 'pipelines.list')[0]?.authorization).toBe(`Bearer ${String(stored?.value.accessToken)}`);
  });

  it('refreshes with the rotated token shortly before the access token expires, not before', async () => {
    const world = oauthWorld();
    const crm = world.crm();
    await crm.listPipelines();
    await world.clock.advance(23 * 3_600_000);
    await crm.listPipelines();
    expect(requestsTo(fake, 'oauth.token')).toHaveLength(1);
    const rotated = (await world.credentials.get(kommoOAuthCredentialKey))?.value.refreshToken;
    await world.clock.advance(3_600_000);
    await crm.listPipelines();
    const tokens = requestsTo(fake, 'oauth.token');
    expect(tokens).toHaveLength(2);
    expect((tokens[1]?.body as { refresh_token: string }).refresh_token).toBe(rotated);
  });

  it('a 401 refreshes once and sends the request again; a second 401 is an AuthError', async () => {
    const world = oauthWorld();
    const crm = world.crm();
    await crm.listPipelines();
    fake.revokeAccessTokens();
    await crm.listPipelines();
    expect(fake.requests.map((request) => request.operation)).toEqual([
      'oauth.token',
      'pipelines.list',
      'pipelines.list',
      'oauth.token',
      'pipelines.list',
    ]);
    fake.failNext('pipelines.list', { kind: 'respond', status: 401, body: { title: 'Unauthorized', status: 401 } });
    fake.failNext('pipelines.list', { kind: 'respond', status: 401, body: { title: 'Unauthorized', status: 401 } });
    expect(AuthError.isInstance(await rejection(crm.listPipelines()))).toBe(true);
    expect(requestsTo(fake, 'oauth.token')).toHaveLength(3);
  });

  it('two processes needing a token at once make one refresh and share it', async () => {
    const world = oauthWorld();
    await Promise.all([world.crm().listPipelines(), world.crm().listPipelines()]);
    expect(requestsTo(fake, 'oauth.token')).toHaveLength(1);
    const [first, second] = requestsTo(fake, 'pipelines.list');
    expect(first?.authorization).toBe(second?.authorization);
  });

  it('a spent refresh token is an AuthError asking to connect again, without the secrets', async () => {
    const world = oauthWorld();
    await world.crm().listPipelines();
    await world.credentials.compareAndSet(
      kommoOAuthCredentialKey,
      { accessToken: 'x', refreshToken: 'spent-refresh-token', expiresAt: 0 },
      1,
    );
    const error = await rejection(world.crm().listPipelines());
    expect(AuthError.isInstance(error) && error.message).toContain('connect the account again');
    expect(JSON.stringify(error)).not.toContain('spent-refresh-token');
    expect(JSON.stringify(error)).not.toContain(fakeKommoOAuthClient.clientSecret);
  });
});
