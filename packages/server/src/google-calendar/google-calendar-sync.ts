/**
 * Changes people make in the tenants' Google Calendars, followed by the server (SPEC §4.3, §7):
 *
 * - **Push**: a tenant whose integration has `watch` and a public HTTPS URL gets a push channel
 *   (opened by the plugin when configured). `notify` checks a notification against the stored
 *   channel id and the tenant's token and, when it is good, asks for a sync of that tenant; the
 *   route answers Google before the sync runs.
 * - **Renewal**: `runOnce` reopens a channel `renewBeforeMs` before it expires (Google has no
 *   renewal), opens one that is missing, and stops one whose integration no longer asks to watch.
 * - **Timer**: a tenant without a push channel is synced every `intervalMs` by `runOnce`.
 *
 * A sync is `CalendarSyncService.sync` on the tenant's calendar port (the sync token stored in the
 * database; an expired one is a full resync). Syncs of one tenant never overlap in a process: a
 * request that arrives during one makes exactly one more run after it, so bursts of
 * notifications coalesce. A sync that fails is logged; the stored token is not advanced, so the
 * next run sees the same changes again.
 */
import {
  checkGoogleNotification,
  isGooglePushAddress,
  openGoogleWatchChannel,
  readGoogleWatchChannel,
  stopGoogleWatchChannel,
  type GoogleCalendar,
  type GoogleCalendarConfig,
  type StoredGoogleWatchChannel,
} from '@sdr/adapter-google-calendar';
import {
  CalendarSyncService,
  classifyError,
  type BookingService,
  type CalendarPort,
  type CalendarSyncResult,
  type CalendarSyncTokenRepository,
  type Clock,
  type DomainEvents,
  type Logger,
  type PluginDeps,
  type PluginKind,
  type Store,
} from '@sdr/core';

/** The Google Calendar integration of one tenant, as the integration view holds it. */
export interface GoogleCalendarTenant {
  readonly tenantId: string;
  readonly config: GoogleCalendarConfig;
}

/** What the sync needs from the composition. */
export interface GoogleCalendarSyncOptions {
  readonly store: Store;
  readonly booking: BookingService;
  readonly tokens: CalendarSyncTokenRepository;
  /** The tenant's calendar port (instrumented), as bookings use it. */
  readonly calendarFor: (tenantId: string) => CalendarPort;
  /** The tenant's Google Calendar integration, or `null` when its calendar is something else. */
  readonly integrationOf: (tenantId: string) => GoogleCalendarTenant | null;
  /** Every tenant with a Google Calendar integration. */
  readonly integrations: () => readonly GoogleCalendarTenant[];
  /** The plugin's dependencies for a tenant (its credential store keeps the channel). */
  readonly depsFor: (tenantId: string, kind: PluginKind) => PluginDeps;
  /** Creates the tenant's Google port for channel calls (`watch`, `stopWatch`). */
  readonly googleFor: (config: GoogleCalendarConfig, deps: PluginDeps) => GoogleCalendar;
  /** Where Google posts a tenant's notifications. */
  readonly notificationUrl: (tenantId: string) => string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the alerts a sync raises are announced (webhook deliveries, alert channels). */
  readonly events?: DomainEvents;
  /** How often a calendar without a push channel is synced. */
  readonly intervalMs: number;
  /** How long before its expiry a channel is reopened. */
  readonly renewBeforeMs: number;
}

/** The verdict on a notification. */
export type GoogleNotificationVerdict =
  | { readonly accepted: true; readonly state: string }
  | { readonly accepted: false; readonly reason: 'not_google' | 'no_channel' | 'unknown_channel' | 'bad_token' };

/** What one `runOnce` did. */
export interface GoogleCalendarPassReport {
  readonly synced: readonly string[];
  readonly renewed: readonly string[];
  readonly stopped: readonly string[];
  readonly failed: readonly { readonly tenantId: string; readonly error: string }[];
}

/** The server's follower of Google Calendar changes. */
export interface GoogleCalendarSync {
  /** Checks a notification's headers for `tenantId`; when accepted, a sync of the tenant is requested (not awaited). */
  notify(tenantId: string, headers: { get(name: string): string | null }): Promise<GoogleNotificationVerdict>;
  /** The tenant's open push channel, as stored (`null`: none; the tenant is synced on the timer). */
  channelOf(tenantId: string): Promise<StoredGoogleWatchChannel | null>;
  /** Syncs the tenant now (after the run under way, if any); resolves with what that run did. */
  syncTenant(tenantId: string): Promise<CalendarSyncResult>;
  /** One pass: channel renewals, and the timer syncs that are due. */
  runOnce(): Promise<GoogleCalendarPassReport>;
  /** Resolves when no sync is running or queued (tests, shutdown). */
  idle(): Promise<void>;
}

interface TenantRun {
  running: Promise<CalendarSyncResult> | null;
  /** A run requested while `running` runs: it starts when `running` ends. */
  queued: Promise<CalendarSyncResult> | null;
}

/** Creates the follower (see the module comment). */
export function createGoogleCalendarSync(options: GoogleCalendarSyncOptions): GoogleCalendarSync {
  const { clock, logger } = options;
  const service = new CalendarSyncService({
    store: options.store,
    booking: options.booking,
    tokens: options.tokens,
    clock,
    logger,
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  const runs = new Map<string, TenantRun>();
  const lastSyncedAt = new Map<string, number>();

  const runSync = async (tenantId: string): Promise<CalendarSyncResult> => {
    lastSyncedAt.set(tenantId, clock.now().getTime());
    const result = await service.sync({ tenantId, calendar: options.calendarFor(tenantId) });
    const acted = result.cancelled.length + result.rescheduled.length + result.flagged.length;
    if (acted > 0 || result.failed.length > 0) {
      logger.info(
        {
          tenantId,
          full: result.full,
          changes: result.changes,
          cancelled: result.cancelled.length,
          rescheduled: result.rescheduled.length,
          flagged: result.flagged.length,
          failed: result.failed.length,
        },
        'Google Calendar changes applied',
      );
    }
    return result;
  };

  const start = (tenantId: string, state: TenantRun): Promise<CalendarSyncResult> => {
    const run = runSync(tenantId);
    state.running = run;
    const done = (): void => {
      // With a run queued, `running` stays set until it starts, so no third run slips in between.
      if (state.running !== run || state.queued !== null) return;
      state.running = null;
      runs.delete(tenantId);
    };
    run.then(done, done);
    return run;
  };

  const syncTenant = (tenantId: string): Promise<CalendarSyncResult> => {
    let state = runs.get(tenantId);
    if (state === undefined) {
      state = { running: null, queued: null };
      runs.set(tenantId, state);
    }
    const { running } = state;
    if (running === null) return start(tenantId, state);
    if (state.queued !== null) return state.queued;
    const owner = state;
    const queued = running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        owner.queued = null;
        return start(tenantId, owner);
      });
    owner.queued = queued;
    return queued;
  };

  const requestSync = (tenantId: string): void => {
    syncTenant(tenantId).catch((error: unknown) => {
      logger.warn({ tenantId, error: classifyError(error).message }, 'Google Calendar sync failed; the next one retries');
    });
  };

  /** Whether the tenant's channel should be open: `watch` set and an HTTPS address Google can call. */
  const wantsPush = (tenant: GoogleCalendarTenant): tenant is GoogleCalendarTenant & { config: { watch: object } } =>
    tenant.config.watch !== undefined && isGooglePushAddress(options.notificationUrl(tenant.tenantId));

  /** Renews, opens or stops the tenant's channel; answers what it did and whether a channel is open. */
  const keepChannel = async (tenant: GoogleCalendarTenant): Promise<{ action: 'renewed' | 'stopped' | null; open: boolean }> => {
    const deps = options.depsFor(tenant.tenantId, 'calendar');
    const channel = await readGoogleWatchChannel(deps.credentials);
    const watch = tenant.config.watch;
    if (watch === undefined || !wantsPush(tenant)) {
      if (channel === null) return { action: null, open: false };
      await stopGoogleWatchChannel({ calendar: options.googleFor(tenant.config, deps), store: deps.credentials });
      return { action: 'stopped', open: false };
    }
    // The channel watches the calendar the sync follows: the one the tenant books meetings in
    // (the integration's calendar, unless the tenant's booking settings named another since).
    const calendarId = (await options.store.tenants.get(tenant.tenantId))?.booking.calendarId ?? tenant.config.calendarId;
    const now = clock.now().getTime();
    const due =
      channel === null ||
      channel.calendarId !== calendarId ||
      (channel.expiresAt !== null && channel.expiresAt - now <= options.renewBeforeMs);
    if (!due) return { action: null, open: true };
    const opened = await openGoogleWatchChannel({
      calendar: options.googleFor(tenant.config, deps),
      store: deps.credentials,
      calendarId,
      address: options.notificationUrl(tenant.tenantId),
      token: watch.token,
      ttlSeconds: watch.ttlSeconds,
      logger,
    });
    logger.info(
      { tenantId: tenant.tenantId, channelId: opened.channelId, expiresAt: opened.expiresAt },
      'Google Calendar push channel renewed',
    );
    return { action: 'renewed', open: true };
  };

  return {
    async notify(tenantId, headers) {
      const tenant = options.integrationOf(tenantId);
      if (tenant === null) return { accepted: false, reason: 'not_google' };
      const watch = tenant.config.watch;
      if (watch === undefined) return { accepted: false, reason: 'no_channel' };
      const channel = await readGoogleWatchChannel(options.depsFor(tenantId, 'calendar').credentials);
      if (channel === null) return { accepted: false, reason: 'no_channel' };
      const check = checkGoogleNotification(headers, { channelId: channel.channelId, token: watch.token });
      if (!check.ok) return { accepted: false, reason: check.reason };
      requestSync(tenantId);
      return { accepted: true, state: check.state };
    },

    channelOf: (tenantId) => readGoogleWatchChannel(options.depsFor(tenantId, 'calendar').credentials),

    syncTenant,

    async runOnce() {
      const synced: string[] = [];
      const renewed: string[] = [];
      const stopped: string[] = [];
      const failed: { tenantId: string; error: string }[] = [];
      const now = clock.now().getTime();
      for (const tenant of options.integrations()) {
        try {
          const channel = await keepChannel(tenant);
          if (channel.action === 'renewed') renewed.push(tenant.tenantId);
          if (channel.action === 'stopped') stopped.push(tenant.tenantId);
          if (channel.open) continue;
          const last = lastSyncedAt.get(tenant.tenantId);
          if (last !== undefined && now - last < options.intervalMs) continue;
          await syncTenant(tenant.tenantId);
          synced.push(tenant.tenantId);
        } catch (error) {
          const message = classifyError(error).message;
          failed.push({ tenantId: tenant.tenantId, error: message });
          logger.warn({ tenantId: tenant.tenantId, error: message }, 'Google Calendar pass failed for a tenant');
        }
      }
      return { synced, renewed, stopped, failed };
    },

    async idle() {
      while (runs.size > 0) {
        const pending = [...runs.values()].flatMap((run) => [run.running, run.queued].filter((entry) => entry !== null));
        await Promise.all(pending.map((entry) => entry.catch(() => undefined)));
      }
    },
  };
}
