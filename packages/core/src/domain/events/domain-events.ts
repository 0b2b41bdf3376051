/**
 * Typed domain events (eventemitter3). Services emit them after their unit of work committed;
 * applications subscribe to run their own bot, notify people or feed analytics. Listeners must
 * not throw (an exception would surface in the emitting service): use `safeListener` when unsure.
 */
import { EventEmitter } from 'eventemitter3';
import type { AppointmentStatus } from '../model/appointment.js';
import type { AutomationState, Stage } from '../model/lead.js';
import type { Channel } from '../model/message.js';
import type { ScheduledKind, SkipReason } from '../model/scheduled-message.js';

/** Fields every domain event carries. */
export interface DomainEventBase {
  readonly tenantId: string;
  readonly at: Date;
}

export interface DomainEventMap {
  'lead.created': DomainEventBase & { readonly leadId: string };
  'lead.opted_out': DomainEventBase & { readonly leadId: string };
  /** `channel`: where the lead spoke (a phone call's words are answered on the call, not on WhatsApp). */
  'message.received': DomainEventBase & { readonly leadId: string; readonly messageId: string; readonly channel: Channel };
  'message.sent': DomainEventBase & {
    readonly leadId: string | null;
    readonly messageId: string | null;
    readonly scheduledMessageId: string | null;
  };
  'stage.changed': DomainEventBase & {
    readonly leadId: string;
    readonly from: Stage;
    readonly to: Stage;
    readonly source: 'automation' | 'crm' | 'operator' | 'api';
  };
  'automation.changed': DomainEventBase & {
    readonly leadId: string;
    readonly from: AutomationState;
    readonly to: AutomationState;
    readonly reason: string;
  };
  'appointment.booked': DomainEventBase & {
    readonly leadId: string;
    readonly appointmentId: string;
    readonly start: Date;
    readonly end: Date;
  };
  'appointment.rescheduled': DomainEventBase & {
    readonly leadId: string;
    readonly appointmentId: string;
    readonly previousAppointmentId: string;
    readonly start: Date;
    readonly end: Date;
  };
  'appointment.cancelled': DomainEventBase & {
    readonly leadId: string;
    readonly appointmentId: string;
    readonly status: AppointmentStatus;
  };
  'handoff.requested': DomainEventBase & {
    readonly leadId: string;
    readonly reason: string;
    readonly requestedBy: 'agent' | 'lead' | 'operator';
  };
  'handoff.resumed': DomainEventBase & { readonly leadId: string };
  'scheduled.created': DomainEventBase & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly dueAt: Date };
  'scheduled.sent': DomainEventBase & {
    readonly scheduledMessageId: string;
    readonly kind: ScheduledKind;
    readonly providerMessageId: string | null;
  };
  'scheduled.skipped': DomainEventBase & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly reason: SkipReason };
  'scheduled.failed': DomainEventBase & {
    readonly scheduledMessageId: string;
    readonly kind: ScheduledKind;
    readonly error: string;
    readonly final: boolean;
  };
  'scheduled.cancelled': DomainEventBase & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly reason: string };
  'billing.cycle_created': DomainEventBase & { readonly billingCycleId: string; readonly externalBillingId: string };
  'billing.cycle_paid': DomainEventBase & { readonly billingCycleId: string };
  'billing.cycle_cancelled': DomainEventBase & { readonly billingCycleId: string };
  'billing.cycle_completed': DomainEventBase & { readonly billingCycleId: string };
  'crm.sync_blocked': DomainEventBase & { readonly account: string; readonly reason: string };
  'crm.reconciled': DomainEventBase & { readonly checked: number; readonly drifted: number; readonly repaired: number };
  'alert.raised': {
    readonly tenantId: string | null;
    readonly at: Date;
    readonly kind: string;
    readonly key: string;
    readonly severity: 'warning' | 'critical';
    readonly message: string;
  };
  'alert.resolved': { readonly tenantId: string | null; readonly at: Date; readonly kind: string; readonly key: string };
}

export type DomainEventName = keyof DomainEventMap;
export type DomainEvent<Name extends DomainEventName = DomainEventName> = DomainEventMap[Name];

/** Listener signatures, one per event name. */
export type DomainEventListeners = { [Name in DomainEventName]: (event: DomainEventMap[Name]) => void };

/** The typed event bus. */
export type DomainEvents = EventEmitter<DomainEventListeners>;

export function createDomainEvents(): DomainEvents {
  return new EventEmitter<DomainEventListeners>();
}

/** Wraps a listener so that its exceptions are reported to `onError` instead of the emitter. */
export function safeListener<Name extends DomainEventName>(
  listener: (event: DomainEventMap[Name]) => void | Promise<void>,
  onError: (error: unknown) => void,
): (event: DomainEventMap[Name]) => void {
  return (event) => {
    try {
      const result = listener(event);
      if (result instanceof Promise) result.catch(onError);
    } catch (error) {
      onError(error);
    }
  };
}
