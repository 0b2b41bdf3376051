export {
  createDomainEvents,
  safeListener,
  type DomainEvent,
  type DomainEventBase,
  type DomainEventListeners,
  type DomainEventMap,
  type DomainEventName,
  type DomainEvents,
} from './domain-events.js';
export {
  addTransactionalSink,
  commitWithEvents,
  deferred,
  emitCommitted,
  emitSafely,
  writeEventsWithin,
  type DeferredEvent,
  type EventTarget,
  type TransactionalEventSink,
} from './after-commit.js';
export { raiseAlert, resolveAlert, type AlertTarget, type RaiseAlertInput, type ResolveAlertInput } from './alert-events.js';
