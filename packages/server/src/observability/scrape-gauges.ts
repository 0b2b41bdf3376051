/**
 * The gauges `/metrics` reads from the store at scrape time (prom-client `collect()`), global
 * across tenants: scheduler lag, pending and stuck messages, outbox depth and CRM sync lag, open
 * alerts and worker heartbeat ages.
 *
 * prom-client asks every metric for its value in the same tick, so the gauges share one
 * in-flight read of the store per scrape instead of one each. Every source is read on its own:
 * when one fails, the failure is logged and counted (`sdr_metrics_scrape_errors_total{source}`)
 * and its gauges keep the last value they had — a broken read never breaks `/metrics`.
 */
import { classifyError, type Clock, type Logger, type Store } from '@sdr/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Heartbeats } from './heartbeats.js';
import { listTenantIds } from './tenant-ids.js';

/** What the scrape-time gauges read. */
export interface ScrapeSources {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Without it, `sdr_worker_last_heartbeat_seconds` is not exported. */
  readonly heartbeats: Heartbeats | undefined;
}

type SchedulerStats = Awaited<ReturnType<Store['scheduledMessages']['stats']>>;
type OutboxStats = Awaited<ReturnType<Store['outbox']['stats']>>;

/** One scrape's reads; `undefined` where the read failed. */
interface Snapshot {
  readonly now: Date;
  readonly scheduler: SchedulerStats | undefined;
  readonly crmOutbox: OutboxStats | undefined;
  readonly calendarOutbox: OutboxStats | undefined;
  /** Open alerts counted by `kind` and `severity`. */
  readonly alerts: ReadonlyMap<string, { readonly kind: string; readonly severity: string; readonly count: number }> | undefined;
  /** The newest beat per component. */
  readonly heartbeats: ReadonlyMap<string, Date> | undefined;
}

const secondsBetween = (later: Date, earlier: Date): number => Math.max(0, (later.getTime() - earlier.getTime()) / 1000);

/** Registers the scrape-time gauges on `registry`. */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources): void {
  const { store, clock, logger, heartbeats } = sources;
  const scrapeErrors = new Counter({
    name: 'sdr_metrics_scrape_errors_total',
    help: 'Reads that failed while collecting metrics (the gauges kept their last value)',
    labelNames: ['source'] as const,
    registers: [registry],
    // Rendered after this scrape's reads, so that a failure shows in the scrape it happened in.
    collect: async () => {
      await snapshot();
    },
  });

  const guarded = async <T>(source: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      scrapeErrors.inc({ source });
      const { code, message } = classifyError(error);
      logger.warn({ source, code, error: message }, 'a metrics read failed; its gauges keep their last value');
      return undefined;
    }
  };

  const readAlerts = async (): Promise<NonNullable<Snapshot['alerts']>> => {
    const counts = new Map<string, { kind: string; severity: string; count: number }>();
    const tenants: (string | null)[] = [null, ...(await listTenantIds(store))];
    for (const tenantId of tenants) {
      for (const alert of await store.alerts.listOpen({ tenantId })) {
        const key = `${alert.kind}|${alert.severity}`;
        const entry = counts.get(key) ?? { kind: alert.kind, severity: alert.severity, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
    }
    return counts;
  };

  const readHeartbeats = async (source: Heartbeats): Promise<Map<string, Date>> => {
    const newest = new Map<string, Date>();
    for (const beat of await source.list()) {
      const known = newest.get(beat.component);
      if (known === undefined || beat.lastBeatAt > known) newest.set(beat.component, beat.lastBeatAt);
    }
    return newest;
  };

  const readSnapshot = async (): Promise<Snapshot> => {
    const now = clock.now();
    const [scheduler, crmOutbox, calendarOutbox, alerts, beats] = await Promise.all([
      guarded('scheduler', () => store.scheduledMessages.stats({ now })),
      guarded('outbox_crm', () => store.outbox.stats({ topic: 'crm' })),
      guarded('outbox_calendar', () => store.outbox.stats({ topic: 'calendar' })),
      guarded('alerts', readAlerts),
      heartbeats === undefined ? Promise.resolve(undefined) : guarded('heartbeats', () => readHeartbeats(heartbeats)),
    ]);
    return { now, scheduler, crmOutbox, calendarOutbox, alerts, heartbeats: beats };
  };

  let inFlight: Promise<Snapshot> | undefined;
  const snapshot = (): Promise<Snapshot> => {
    inFlight ??= readSnapshot().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const gauge = <Label extends string>(
    definition: { readonly name: string; readonly help: string; readonly labelNames?: readonly Label[] },
    update: (gauge: Gauge<Label>, snapshot: Snapshot) => void,
  ): void => {
    const created: Gauge<Label> = new Gauge<Label>({
      ...definition,
      labelNames: definition.labelNames ?? [],
      registers: [registry],
      collect: async () => update(created, await snapshot()),
    });
  };

  gauge(
    { name: 'sdr_scheduler_lag_seconds', help: 'Now minus the due time of the oldest due pending scheduled message (0 when none)' },
    (g, s) => {
      if (s.scheduler !== undefined) g.set(s.scheduler.oldestDueAt === null ? 0 : secondsBetween(s.now, s.scheduler.oldestDueAt));
    },
  );
  gauge({ name: 'sdr_scheduler_pending_messages', help: 'Scheduled messages waiting to be sent (due or not)' }, (g, s) => {
    if (s.scheduler !== undefined) g.set(s.scheduler.pending);
  });
  gauge({ name: 'sdr_scheduler_stuck_messages', help: 'Scheduled messages in sending whose lease expired' }, (g, s) => {
    if (s.scheduler !== undefined) g.set(s.scheduler.stuck);
  });
  gauge({ name: 'sdr_outbox_depth', help: 'Pending outbox entries per topic', labelNames: ['topic'] as const }, (g, s) => {
    if (s.crmOutbox !== undefined) g.set({ topic: 'crm' }, s.crmOutbox.pending);
    if (s.calendarOutbox !== undefined) g.set({ topic: 'calendar' }, s.calendarOutbox.pending);
  });
  gauge({ name: 'sdr_outbox_dead_entries', help: 'Outbox entries given up on per topic', labelNames: ['topic'] as const }, (g, s) => {
    if (s.crmOutbox !== undefined) g.set({ topic: 'crm' }, s.crmOutbox.dead);
    if (s.calendarOutbox !== undefined) g.set({ topic: 'calendar' }, s.calendarOutbox.dead);
  });
  gauge({ name: 'sdr_crm_sync_lag_seconds', help: 'Age of the oldest pending CRM outbox entry (0 when none)' }, (g, s) => {
    if (s.crmOutbox !== undefined) g.set(s.crmOutbox.oldestPendingAt === null ? 0 : secondsBetween(s.now, s.crmOutbox.oldestPendingAt));
  });
  gauge({ name: 'sdr_alerts_open', help: 'Open alerts by kind and severity', labelNames: ['kind', 'severity'] as const }, (g, s) => {
    if (s.alerts === undefined) return;
    // Kinds that have no open alert any more disappear instead of lingering at their last count.
    g.reset();
    for (const { kind, severity, count } of s.alerts.values()) g.set({ kind, severity }, count);
  });
  if (heartbeats !== undefined) {
    gauge(
      {
        name: 'sdr_worker_last_heartbeat_seconds',
        help: 'Seconds since the newest heartbeat of each worker component',
        labelNames: ['component'] as const,
      },
      (g, s) => {
        if (s.heartbeats === undefined) return;
        g.reset();
        for (const [component, lastBeatAt] of s.heartbeats) g.set({ component }, secondsBetween(s.now, lastBeatAt));
      },
    );
  }
}
