/**
 * `createAlertEvaluator`: the built-in alerts of SPEC §8, raised and resolved through
 * `store.alerts` (so `GET /v1/alerts` and `sdr_alerts_open` show them) and announced as
 * `alert.raised` / `alert.resolved` events. Each `evaluate()` checks every rule once:
 *
 * - `messages_stuck` (per tenant, critical): a pending message due more than `stuckAfterMs` ago,
 *   or a message left in `sending` past its lease;
 * - `send_error_rate` (global, warning): failed / (sent + failed) over `errorRateWindowMs`, from
 *   the `scheduled.*` events this process saw (see `send-outcome-window.ts`), with at least
 *   `errorRateMinSamples` attempts; without `events` the rule cannot count and never fires;
 * - `dispatcher_heartbeat` (global, critical): no dispatcher heartbeat for
 *   `heartbeatMissingAfterMs` — once a dispatcher ever beat, or this evaluator has lived that long;
 * - `crm_sync_lag` (per tenant, warning): the oldest pending CRM outbox entry is older than
 *   `crmSyncLagMs`; critical, at once, while a CRM outbox entry is dead-lettered — a dead change
 *   is never applied, so the CRM stays behind however empty the queue looks.
 *
 * `channel_down` is not evaluated here: the dispatcher's channel gate raises it as it sees the
 * outage. Evaluation is idempotent (the store keeps one open alert per tenant, kind and key, and
 * says whether a raise opened it), so several processes may evaluate at once: the events fire
 * once per opening. A rule whose read fails neither raises nor resolves; the failure is reported.
 */
import { classifyError, noopLogger, raiseAlert, resolveAlert, type Clock, type DomainEvents, type Logger, type Store } from '@sdr/core';
import { resolveAlertThresholds, type AlertThresholds } from './alert-thresholds.js';
import type { Heartbeats } from './heartbeats.js';
import { createSendOutcomeWindow, type SendOutcomeWindow } from './send-outcome-window.js';
import { listTenantIds } from './tenant-ids.js';

/** The kinds of the alerts this evaluator owns. */
export const builtInAlertKinds = {
  messagesStuck: 'messages_stuck',
  sendErrorRate: 'send_error_rate',
  dispatcherHeartbeat: 'dispatcher_heartbeat',
  crmSyncLag: 'crm_sync_lag',
} as const;
export type BuiltInAlertKind = (typeof builtInAlertKinds)[keyof typeof builtInAlertKinds];

/** The heartbeat component of the dispatcher loop. */
export const dispatcherComponent = 'dispatcher';

/** An alert as the report names it. */
export interface AlertRef {
  readonly tenantId: string | null;
  readonly kind: BuiltInAlertKind;
  readonly key: string;
}

/** What one `evaluate()` found and did. */
export interface AlertEvaluationReport {
  readonly at: Date;
  /** Every alert whose condition holds now (opened now or earlier). */
  readonly firing: readonly AlertRef[];
  /** Alerts this evaluation opened. */
  readonly raised: readonly AlertRef[];
  /** Alerts this evaluation resolved. */
  readonly resolved: readonly AlertRef[];
  /** Rules that could not be evaluated (their alerts were left as they were). */
  readonly failures: readonly { readonly rule: string; readonly tenantId: string | null; readonly error: string }[];
}

export interface AlertEvaluator {
  evaluate(): Promise<AlertEvaluationReport>;
  /** Stops listening to the events. */
  close(): void;
}

/** Options of `createAlertEvaluator`. */
export interface AlertEvaluatorOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly heartbeats: Pick<Heartbeats, 'latest'>;
  /** Source of the send outcomes, and where `alert.raised` / `alert.resolved` are emitted. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  readonly thresholds?: Partial<AlertThresholds>;
}

/** A rule's verdict for one tenant (or globally). */
type Verdict =
  | { readonly firing: false }
  | {
      readonly firing: true;
      readonly severity: 'warning' | 'critical';
      readonly message: string;
      readonly details: Record<string, string | number>;
    };

interface Rule {
  readonly kind: BuiltInAlertKind;
  readonly key: string;
  readonly scope: 'global' | 'tenant';
  check(input: { readonly now: Date; readonly tenantId: string | null }): Promise<Verdict>;
}

const quiet: Verdict = { firing: false };
const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/** Creates the evaluator; thresholds are validated here (`ValidationError` naming the field). */
export function createAlertEvaluator(options: AlertEvaluatorOptions): AlertEvaluator {
  const thresholds = resolveAlertThresholds(options.thresholds);
  const { store, clock, heartbeats, events } = options;
  const logger = options.logger ?? noopLogger;
  const startedAt = clock.now();
  const window: SendOutcomeWindow | undefined =
    events === undefined ? undefined : createSendOutcomeWindow({ events, clock, windowMs: thresholds.errorRateWindowMs });

  const rules: readonly Rule[] = [
    {
      kind: builtInAlertKinds.sendErrorRate,
      key: 'scheduled_messages',
      scope: 'global',
      check: () => {
        const counts = window?.counts() ?? { sent: 0, failed: 0 };
        const attempts = counts.sent + counts.failed;
        if (attempts < thresholds.errorRateMinSamples || counts.failed / attempts <= thresholds.errorRateThreshold)
          return Promise.resolve(quiet);
        const rate = counts.failed / attempts;
        return Promise.resolve({
          firing: true,
          severity: 'warning',
          message: `${Math.round(rate * 100)} % of ${attempts} send attempts failed in the last ${minutes(thresholds.errorRateWindowMs)} (this process)`,
          details: { failed: counts.failed, sent: counts.sent, rate: Number(rate.toFixed(4)), windowMs: thresholds.errorRateWindowMs },
        });
      },
    },
    {
      kind: builtInAlertKinds.dispatcherHeartbeat,
      key: dispatcherComponent,
      scope: 'global',
      check: async ({ now }) => {
        const latest = await heartbeats.latest(dispatcherComponent);
        const silentSince = latest?.lastBeatAt ?? startedAt;
        if (now.getTime() - silentSince.getTime() <= thresholds.heartbeatMissingAfterMs) return quiet;
        return {
          firing: true,
          severity: 'critical',
          message:
            latest === null
              ? `no dispatcher has beat since this server started ${minutes(now.getTime() - startedAt.getTime())} ago`
              : `the last dispatcher heartbeat is from ${latest.lastBeatAt.toISOString()}`,
          details: { silentSince: silentSince.toISOString(), thresholdMs: thresholds.heartbeatMissingAfterMs },
        };
      },
    },
    {
      kind: builtInAlertKinds.messagesStuck,
      key: 'scheduled_messages',
      scope: 'tenant',
      check: async ({ now, tenantId }) => {
        const stats = await store.scheduledMessages.stats({ now, ...(tenantId === null ? {} : { tenantId }) });
        const overdueMs = stats.oldestDueAt === null ? 0 : now.getTime() - stats.oldestDueAt.getTime();
        const overdue = stats.oldestDueAt !== null && overdueMs > thresholds.stuckAfterMs;
        if (!overdue && stats.stuck === 0) return quiet;
        const reasons = [
          ...(overdue ? [`a pending message has been due for ${minutes(overdueMs)}`] : []),
          ...(stats.stuck > 0 ? [`${stats.stuck} message(s) stuck in sending past their lease`] : []),
        ];
        return {
          firing: true,
          severity: 'critical',
          message: `scheduled messages are stuck: ${reasons.join('; ')}`,
          details: {
            duePending: stats.duePending,
            stuckSending: stats.stuck,
            ...(stats.oldestDueAt === null ? {} : { oldestDueAt: stats.oldestDueAt.toISOString() }),
          },
        };
      },
    },
    {
      kind: builtInAlertKinds.crmSyncLag,
      key: 'crm',
      scope: 'tenant',
      check: async ({ now, tenantId }) => {
        const stats = await store.outbox.stats({ topic: 'crm', ...(tenantId === null ? {} : { tenantId }) });
        const lagMs = stats.oldestPendingAt === null ? 0 : now.getTime() - stats.oldestPendingAt.getTime();
        const lagging = lagMs > thresholds.crmSyncLagMs;
        if (!lagging && stats.dead === 0) return quiet;
        const reasons = [
          ...(lagging ? [`${minutes(lagMs)} behind (${stats.pending} pending change(s))`] : []),
          ...(stats.dead > 0 ? [`${stats.dead} change(s) dead-lettered, never applied`] : []),
        ];
        return {
          firing: true,
          severity: stats.dead > 0 ? 'critical' : 'warning',
          message: `the CRM sync is behind: ${reasons.join('; ')}`,
          details: {
            pending: stats.pending,
            dead: stats.dead,
            ...(stats.oldestPendingAt === null ? {} : { oldestPendingAt: stats.oldestPendingAt.toISOString() }),
            thresholdMs: thresholds.crmSyncLagMs,
          },
        };
      },
    },
  ];

  return {
    async evaluate() {
      const now = clock.now();
      const firing: AlertRef[] = [];
      const raised: AlertRef[] = [];
      const resolved: AlertRef[] = [];
      const failures: { rule: string; tenantId: string | null; error: string }[] = [];
      const fail = (rule: string, tenantId: string | null, error: unknown) => {
        const message = classifyError(error).message;
        failures.push({ rule, tenantId, error: message });
        logger.error({ rule, tenantId, error: message }, 'an alert rule could not be evaluated');
      };

      const evaluateScope = async (tenantId: string | null, scopeRules: readonly Rule[]) => {
        let open: ReadonlySet<string>;
        try {
          open = new Set((await store.alerts.listOpen({ tenantId })).map((alert) => `${alert.kind}|${alert.key}`));
        } catch (error) {
          for (const rule of scopeRules) fail(rule.kind, tenantId, error);
          return;
        }
        for (const rule of scopeRules) {
          const ref: AlertRef = { tenantId, kind: rule.kind, key: rule.key };
          try {
            const verdict = await rule.check({ now, tenantId });
            if (verdict.firing) {
              firing.push(ref);
              // The alert and its `alert.raised` deliveries commit together; listeners hear it after, and never throw here.
              const { opened } = await raiseAlert(
                { store, events, logger },
                {
                  ...ref,
                  severity: verdict.severity,
                  message: verdict.message,
                  details: verdict.details,
                  now,
                },
              );
              if (!opened) continue;
              raised.push(ref);
              const logContext = { ...ref, ...verdict.details };
              if (verdict.severity === 'critical') logger.error(logContext, `alert raised: ${verdict.message}`);
              else logger.warn(logContext, `alert raised: ${verdict.message}`);
            } else if (open.has(`${rule.kind}|${rule.key}`)) {
              if ((await resolveAlert({ store, events, logger }, { ...ref, now })) === null) continue;
              resolved.push(ref);
              logger.info({ ...ref }, 'alert resolved');
            }
          } catch (error) {
            fail(rule.kind, tenantId, error);
          }
        }
      };

      await evaluateScope(
        null,
        rules.filter((rule) => rule.scope === 'global'),
      );
      const tenantRules = rules.filter((rule) => rule.scope === 'tenant');
      let tenantIds: string[] = [];
      try {
        tenantIds = await listTenantIds(store);
      } catch (error) {
        for (const rule of tenantRules) fail(rule.kind, null, error);
      }
      for (const tenantId of tenantIds) await evaluateScope(tenantId, tenantRules);
      return { at: now, firing, raised, resolved, failures };
    },
    close() {
      window?.close();
    },
  };
}
