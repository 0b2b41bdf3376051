/**
 * The core services the routes call, wired once on a store, a calendar, a lock and a clock: the
 * follow-up engine observes bookings, the conversation, handoff and CRM-inbound services drive
 * it, and every service reports to one `DomainEvents`. The runtime and the API tests build the
 * same graph through this function.
 */
import {
  BookingService,
  createBillingService,
  createConversationService,
  createCrmInboundService,
  createFollowUpService,
  createHandoffService,
  createTemplateService,
  noopLogger,
  type CalendarPort,
  type Clock,
  type DomainEvents,
  type LockPort,
  type Logger,
  type Store,
} from '@sdr/core';
import type { ServerServices } from '../context.js';

/** Builds the services; `wrapBooking` may decorate the booking service (metrics). */
export function createServerServices(input: {
  readonly store: Store;
  /** One calendar, or each tenant's own by tenant id. */
  readonly calendar: CalendarPort | ((tenantId: string) => CalendarPort);
  readonly lock: LockPort;
  readonly clock: Clock;
  readonly events: DomainEvents;
  readonly logger?: Logger;
  readonly wrapBooking?: (booking: BookingService) => BookingService;
}): ServerServices {
  const { store, calendar, lock, clock, events } = input;
  const logger = input.logger ?? noopLogger;
  const followUp = createFollowUpService({ store, clock, events, logger });
  const booking = new BookingService({ store, calendar, lock, clock, observers: [followUp], events, logger });
  return {
    followUp,
    conversation: createConversationService({ store, clock, followUp, events, logger }),
    booking: input.wrapBooking === undefined ? booking : input.wrapBooking(booking),
    billing: createBillingService({ store, clock, lock, events, logger }),
    handoff: createHandoffService({ store, clock, followUp, events, logger }),
    templates: createTemplateService({ store, clock }),
    crmInbound: createCrmInboundService({ store, clock, followUp, events, logger }),
  };
}
