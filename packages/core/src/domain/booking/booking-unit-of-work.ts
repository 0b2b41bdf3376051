/**
 * Booking's unit of work: one transaction with the observers' writes, the effects they defer run
 * once it committed.
 */
import type { Repositories } from '../../ports/repositories/repositories.js';
import { emitCommitted, runCommitted, type DeferredEvent } from '../events/after-commit.js';
import { transactionWithRetry } from '../unit-of-work/transaction-retry.js';
import type { AppointmentChange, AppointmentChangeContext } from './appointment-observer.js';
import type { BookingContext } from './booking-context.js';

/** What work inside a booking transaction gets: the repositories and a way to defer effects past the commit. */
export interface UnitOfWork {
  readonly tx: Repositories;
  /** Runs `effect` once the transaction committed; never if it rolls back. */
  readonly afterCommit: (effect: () => void) => void;
}

/**
 * Runs `work` in one store transaction, then the effects it deferred (observers' domain events)
 * — only when the transaction committed. A transaction that lost an optimistic race (the lead
 * changed between the observers' read and their write — the CRM sync linking it, a message
 * arriving) is run again on the fresh state, its deferred effects discarded; the calendar event
 * made before it is idempotent, so the booking still ends with one. An effect that throws is
 * logged, not passed on: the change is committed by then.
 */
export async function transactionWithEffects<T>(context: BookingContext, work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
  let effects: (() => void)[] = [];
  const result = await transactionWithRetry(context.store, (tx) => {
    const attempt: (() => void)[] = [];
    effects = attempt;
    return work({ tx, afterCommit: (effect) => void attempt.push(effect) });
  });
  runCommitted(
    context.logger,
    effects.map((run) => ({ run })),
  );
  return result;
}

/** Tells every observer, in order, inside the transaction `change` is persisted in. */
export async function notifyObservers(
  context: BookingContext,
  input: AppointmentChangeContext & { readonly change: AppointmentChange },
): Promise<void> {
  const { change, ...changeContext } = input;
  for (const observer of context.observers) await observer.onAppointmentChange(change, changeContext);
}

/** Emits domain events after commit; a throwing listener is logged, not passed to the caller. */
export function emitAfterCommit(context: BookingContext, events: readonly DeferredEvent[]): void {
  emitCommitted(context, events);
}
