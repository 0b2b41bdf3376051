/**
 * Push channels of a tenant's calendar, kept in the integration's `CredentialStore`: open one
 * (stopping the one it replaces — Google has no renewal), stop it when the integration is
 * removed, and check a notification's channel id and token. The host's route and its renewal
 * timer call these; a notification carries no change, the host then runs `listChanges`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CallOptions, CredentialStore, Logger } from '@sdr/core';
import type { GoogleCalendarChanges } from './google-calendar-changes.js';

/** The credential store key of the open channel. */
export const googleWatchCredentialKey = 'google-watch-channel';

/** The channel as stored. */
export interface StoredGoogleWatchChannel {
  readonly calendarId: string;
  readonly channelId: string;
  readonly resourceId: string;
  /** Epoch milliseconds, or `null` when Google did not say. */
  readonly expiresAt: number | null;
}

export interface GoogleWatchInput {
  readonly calendar: GoogleCalendarChanges;
  readonly store: CredentialStore;
  readonly calendarId: string;
  /** The HTTPS URL of the host's notification route. */
  readonly address: string;
  /** The per-tenant secret notifications must echo. */
  readonly token: string;
  readonly ttlSeconds?: number | undefined;
  readonly logger?: Logger;
  readonly options?: CallOptions;
}

/**
 * Whether Google can deliver notifications to `address`: it calls HTTPS URLs only. A host
 * without a public HTTPS URL syncs on a timer instead.
 */
export function isGooglePushAddress(address: string): boolean {
  try {
    return new URL(address).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The stored channel, or `null`. */
export async function readGoogleWatchChannel(store: CredentialStore, options?: CallOptions): Promise<StoredGoogleWatchChannel | null> {
  const stored = await store.get(googleWatchCredentialKey, options);
  return stored === null ? null : readStoredChannel(stored.value);
}

/**
 * Opens a new channel, stores it in place of the previous one, then stops the previous one
 * (notifications may trickle in from it for a while: the route accepts only the stored id).
 * Used to start watching and to renew before `expiresAt`.
 */
export async function openGoogleWatchChannel(input: GoogleWatchInput): Promise<StoredGoogleWatchChannel> {
  const previous = await input.store.get(googleWatchCredentialKey, input.options);
  const opened = await input.calendar.watch(
    {
      calendarId: input.calendarId,
      channelId: randomUUID(),
      address: input.address,
      token: input.token,
      ...(input.ttlSeconds === undefined ? {} : { ttlSeconds: input.ttlSeconds }),
    },
    input.options,
  );
  const channel: StoredGoogleWatchChannel = {
    calendarId: input.calendarId,
    channelId: opened.channelId,
    resourceId: opened.resourceId,
    expiresAt: opened.expiresAt === null ? null : opened.expiresAt.getTime(),
  };
  const written = await input.store.compareAndSet(googleWatchCredentialKey, { ...channel }, previous?.version ?? null, input.options);
  if (!written) {
    // Another process renewed at the same time: keep its channel, drop ours.
    await input.calendar.stopWatch({ channelId: channel.channelId, resourceId: channel.resourceId }, input.options);
    const winner = await readGoogleWatchChannel(input.store, input.options);
    if (winner !== null) return winner;
    return channel;
  }
  const old = previous === null ? null : readStoredChannel(previous.value);
  if (old !== null) {
    await input.calendar.stopWatch({ channelId: old.channelId, resourceId: old.resourceId }, input.options).catch((error: unknown) => {
      input.logger?.warn({ channelId: old.channelId, err: error }, 'could not stop the previous Google Calendar channel; it will expire');
    });
  }
  return channel;
}

/** Stops the stored channel (if any) and forgets it. */
export async function stopGoogleWatchChannel(input: {
  readonly calendar: GoogleCalendarChanges;
  readonly store: CredentialStore;
  readonly options?: CallOptions;
}): Promise<void> {
  const stored = await input.store.get(googleWatchCredentialKey, input.options);
  const channel = stored === null ? null : readStoredChannel(stored.value);
  if (stored === null || channel === null) return;
  await input.calendar.stopWatch({ channelId: channel.channelId, resourceId: channel.resourceId }, input.options);
  await input.store.compareAndSet(googleWatchCredentialKey, { stopped: true }, stored.version, input.options);
}

function readStoredChannel(value: Readonly<Record<string, unknown>>): StoredGoogleWatchChannel | null {
  const { channelId, resourceId, calendarId, expiresAt } = value;
  if (typeof channelId !== 'string' || typeof resourceId !== 'string' || typeof calendarId !== 'string') return null;
  return { calendarId, channelId, resourceId, expiresAt: typeof expiresAt === 'number' ? expiresAt : null };
}

/** What a notification's headers say, once checked. */
export type GoogleNotificationCheck =
  | { readonly ok: true; readonly state: string; readonly messageNumber: number | null }
  | { readonly ok: false; readonly reason: 'unknown_channel' | 'bad_token' };

/**
 * Checks a push notification: its `X-Goog-Channel-ID` must be the stored channel and its
 * `X-Goog-Channel-Token` the tenant's token (compared in constant time). Anything else ⇒ the
 * route answers 401. `state` is `sync` once after opening, then `exists`.
 */
export function checkGoogleNotification(
  headers: { get(name: string): string | null },
  expected: { readonly channelId: string; readonly token: string },
): GoogleNotificationCheck {
  if (headers.get('x-goog-channel-id') !== expected.channelId) return { ok: false, reason: 'unknown_channel' };
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(headers.get('x-goog-channel-token') ?? ''), digest(expected.token)))
    return { ok: false, reason: 'bad_token' };
  const number = Number(headers.get('x-goog-message-number'));
  return {
    ok: true,
    state: headers.get('x-goog-resource-state') ?? 'exists',
    messageNumber: Number.isInteger(number) && number > 0 ? number : null,
  };
}
