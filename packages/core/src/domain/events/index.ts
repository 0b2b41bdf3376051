export { createDomainEvents, safeListener, type DomainEvent, type DomainEventMap, type DomainEventName, type DomainEvents } from './domain-events.js';
