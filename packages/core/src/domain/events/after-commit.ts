/**
 * The one way domain events leave a unit of work.
 *
 * - **Inside the transaction**, the bus's *transactional sinks* receive the events with the
 *   transaction itself (`writeEventsWithin`): a sink writes an outbox row that commits — or rolls
 *   back — with the change it describes. A sink that throws fails the unit of work, which is the
 *   point: no change without its row.
 * - **After the commit**, every listener hears each event (`emitCommitted`). The data is committed
 *   by then, so a listener's exception is logged and never reaches the caller, nor stops the
 *   other listeners.
 *
 * `commitWithEvents` runs both around a unit of work; services that already run their own
 * transaction call the two halves.
 */
import { maskPersonalData } from '../../errors/index.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { transactionWithRetry } from '../unit-of-work/transaction-retry.js';
import type { DomainEventMap, DomainEventName, DomainEvents } from './domain-events.js';

/** One event waiting for its unit of work to commit. */
export type DeferredEvent = { [Name in DomainEventName]: { readonly name: Name; readonly event: DomainEventMap[Name] } }[DomainEventName];

/** A typed `DeferredEvent`. */
export function deferred<Name extends DomainEventName>(name: Name, event: DomainEventMap[Name]): DeferredEvent {
  return { name, event } as DeferredEvent;
}

/**
 * Writes, inside the transaction `tx`, what must commit with the events of a unit of work (an
 * outbox row per event, say). Called once per unit of work with all of its events, in order;
 * it may be called again for the same events when the unit of work is retried after a lost race
 * (the earlier transaction rolled back).
 */
export type TransactionalEventSink = (tx: Repositories, events: readonly DeferredEvent[]) => Promise<void>;

const sinksByBus = new WeakMap<DomainEvents, TransactionalEventSink[]>();

/**
 * Registers a sink on `bus`: every service given this bus calls it inside the transaction of
 * each change that produces events. Returns the function that removes it.
 */
export function addTransactionalSink(bus: DomainEvents, sink: TransactionalEventSink): () => void {
  const sinks = sinksByBus.get(bus) ?? [];
  sinks.push(sink);
  sinksByBus.set(bus, sinks);
  return () => {
    const index = sinks.indexOf(sink);
    if (index >= 0) sinks.splice(index, 1);
  };
}

/** Runs the transactional sinks of `bus` on `events` inside `tx`; nothing without a bus or events. */
export async function writeEventsWithin(bus: DomainEvents | undefined, tx: Repositories, events: readonly DeferredEvent[]): Promise<void> {
  if (bus === undefined || events.length === 0) return;
  for (const sink of [...(sinksByBus.get(bus) ?? [])]) await sink(tx, events);
}

/** Where committed events go: the bus (none: nothing happens) and the log of listeners that threw. */
export interface EventTarget {
  readonly events?: DomainEvents | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * Tells the listeners of `target.events` about each event, in order, once the change is
 * committed. A listener that throws is logged with the event's name and the next event is still
 * emitted; the caller never sees the exception. (The bus stops at a throwing listener, so the
 * listeners after it miss that one event: a listener that must not disturb others is wrapped
 * with `safeListener`, which also catches the rejection of an async listener.)
 */
export function emitCommitted(target: EventTarget, events: readonly DeferredEvent[]): void {
  const bus = target.events;
  if (bus === undefined) return;
  runCommitted(
    target.logger,
    events.map(({ name, event }) => ({
      // eventemitter3's typed `emit` takes the listener's parameters; the map fixes them per name.
      run: () => void (bus.emit as (name: DomainEventName, event: DomainEventMap[DomainEventName]) => boolean)(name, event),
      fields: { event: name },
      failure: 'a domain event listener threw',
    })),
  );
}

/** Work deferred past a commit, and what to log about it should it throw. */
interface CommittedEffect {
  readonly run: () => void;
  /** Log fields naming the effect (e.g. `{ event: 'lead.created' }`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The log message when it throws (default `an after-commit effect threw`). */
  readonly failure?: string;
}

/**
 * Runs what a committed unit of work deferred, in order: an effect that throws is logged and the
 * next one still runs — the change is committed by then, so the caller never sees the exception.
 * The one loop behind `emitCommitted` and every unit of work that defers effects.
 */
export function runCommitted(logger: Logger | undefined, effects: readonly CommittedEffect[]): void {
  for (const effect of effects) {
    try {
      effect.run();
    } catch (error) {
      (logger ?? noopLogger).error({ ...effect.fields, error: describeError(error) }, effect.failure ?? 'an after-commit effect threw');
    }
  }
}

/** `emitCommitted` of one event: for a change written by a single statement, outside any unit of work. */
export function emitSafely<Name extends DomainEventName>(target: EventTarget, name: Name, event: DomainEventMap[Name]): void {
  emitCommitted(target, [deferred(name, event)]);
}

/**
 * Runs `work` in one transaction (tried again after a lost race, see `transactionWithRetry`), with
 * the events it returns written by the transactional sinks in that transaction, then emitted
 * once it committed. Returns what `work` returned.
 */
export async function commitWithEvents<T extends { readonly events: readonly DeferredEvent[] }>(
  target: EventTarget & { readonly store: Store },
  work: (tx: Repositories) => Promise<T>,
  options: { readonly retryDuplicates?: boolean } = {},
): Promise<T> {
  const result = await transactionWithRetry(
    target.store,
    async (tx) => {
      const done = await work(tx);
      await writeEventsWithin(target.events, tx, done.events);
      return done;
    },
    options,
  );
  emitCommitted(target, result.events);
  return result;
}

/** A log-safe description of anything thrown: its name and its message, personal data masked. */
export function describeError(error: unknown): string {
  return maskPersonalData(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
