/**
 * Raising and resolving an alert as a unit of work: the alert's row and what the transactional
 * sinks write for its `alert.raised` / `alert.resolved` event (webhook deliveries) commit
 * together, or neither does; the listeners hear the event once it is committed.
 */
import type { Alert } from '../model/outbox.js';
import type { AlertRepository, Store } from '../../ports/repositories/repositories.js';
import { deferred, emitCommitted, writeEventsWithin, type DeferredEvent, type EventTarget } from './after-commit.js';

/** What an alert is raised with. */
export type RaiseAlertInput = Parameters<AlertRepository['raise']>[0];
/** What an alert is resolved with. */
export type ResolveAlertInput = Parameters<AlertRepository['resolve']>[0];
/** Where an alert is written and its event goes. */
export type AlertTarget = EventTarget & { readonly store: Pick<Store, 'transaction'> };

/** Opens (or refreshes) an alert; when it opens, `alert.raised` is written with it and then emitted. */
export async function raiseAlert(
  target: AlertTarget,
  input: RaiseAlertInput,
): Promise<{ readonly alert: Alert; readonly opened: boolean }> {
  const result = await target.store.transaction(async (tx) => {
    const raised = await tx.alerts.raise(input);
    const events: DeferredEvent[] = raised.opened
      ? [
          deferred('alert.raised', {
            tenantId: input.tenantId,
            at: input.now,
            kind: input.kind,
            key: input.key,
            severity: input.severity,
            message: input.message,
          }),
        ]
      : [];
    await writeEventsWithin(target.events, tx, events);
    return { ...raised, events };
  });
  emitCommitted(target, result.events);
  return { alert: result.alert, opened: result.opened };
}

/** Resolves the open alert; when there was one, `alert.resolved` is written with it and then emitted. `null`: none was open. */
export async function resolveAlert(target: AlertTarget, input: ResolveAlertInput): Promise<Alert | null> {
  const result = await target.store.transaction(async (tx) => {
    const resolved = await tx.alerts.resolve(input);
    const events: DeferredEvent[] =
      resolved === null ? [] : [deferred('alert.resolved', { tenantId: input.tenantId, at: input.now, kind: input.kind, key: input.key })];
    await writeEventsWithin(target.events, tx, events);
    return { resolved, events };
  });
  emitCommitted(target, result.events);
  return result.resolved;
}
