import { maskPersonalData } from '../../errors/index.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { DomainEventMap, DomainEventName, DomainEvents } from '../events/domain-events.js';

/**
 * Emits a domain event after the row it describes was written. A throwing listener is logged:
 * the write already happened, and letting the exception escape would make the dispatcher treat
 * a delivered message as a failed one.
 */
export function emitSafely<Name extends DomainEventName>(
  target: { readonly events: DomainEvents | undefined; readonly logger: Logger },
  name: Name,
  event: DomainEventMap[Name],
): void {
  if (target.events === undefined) return;
  try {
    // eventemitter3's typed `emit` takes the listener's parameters; the map fixes them per name.
    (target.events.emit as (name: Name, event: DomainEventMap[Name]) => boolean)(name, event);
  } catch (error) {
    target.logger.error({ event: name, error: describeError(error) }, 'a domain event listener threw');
  }
}

/** A log-safe description of anything thrown: its name and its message, personal data masked. */
export function describeError(error: unknown): string {
  return maskPersonalData(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
