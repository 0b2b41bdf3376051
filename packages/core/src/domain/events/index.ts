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
