/**
 * Typed domain events (eventemitter3). Services emit them after their unit of work committed;
 * applications subscribe to run their own bot, notify people or feed analytics. Listeners must
 * not throw (an exception would surface in the emitting service): use `safeListener` when unsure.
 */
import { EventEmitter } from 'eventemitter3';
import type { AppointmentStatus } from '../model/appointment.js';
import type { AutomationState, Stage } from '../model/lead.js';
import type { ScheduledKind, SkipReason } from '../model/scheduled-message.js';

interface Base {
  readonly tenantId: string;
  readonly at: Date;
}

export interface DomainEventMap {
  'lead.created': Base & { readonly leadId: string };
  'lead.opted_out': Base & { readonly leadId: string };
  'message.received': Base & { readonly leadId: string; readonly messageId: string };
  'message.sent': Base & { readonly leadId: string | null; readonly messageId: string | null; readonly scheduledMessageId: string | null };
  'stage.changed': Base & { readonly leadId: string; readonly from: Stage; readonly to: Stage; readonly source: 'automation' | 'crm' | 'operator' | 'api' };
  'automation.changed': Base & { readonly leadId: string; readonly from: AutomationState; readonly to: AutomationState; readonly reason: string };
  'appointment.booked': Base & { readonly leadId: string; readonly appointmentId: string; readonly start: Date; readonly end: Date };
  'appointment.rescheduled': Base & { readonly leadId: string; readonly appointmentId: string; readonly previousAppointmentId: string; readonly start: Date; readonly end: Date };
  'appointment.cancelled': Base & { readonly leadId: string; readonly appointmentId: string; readonly status: AppointmentStatus };
  'handoff.requested': Base & { readonly leadId: string; readonly reason: string; readonly requestedBy: 'agent' | 'lead' | 'operator' };
  'handoff.resumed': Base & { readonly leadId: string };
  'scheduled.created': Base & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly dueAt: Date };
  'scheduled.sent': Base & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly providerMessageId: string | null };
  'scheduled.skipped': Base & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly reason: SkipReason };
  'scheduled.failed': Base & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly error: string; readonly final: boolean };
  'scheduled.cancelled': Base & { readonly scheduledMessageId: string; readonly kind: ScheduledKind; readonly reason: string };
  'billing.cycle_created': Base & { readonly billingCycleId: string; readonly externalBillingId: string };
  'billing.cycle_paid': Base & { readonly billingCycleId: string };
  'billing.cycle_cancelled': Base & { readonly billingCycleId: string };
  'billing.cycle_completed': Base & { readonly billingCycleId: string };
  'crm.sync_blocked': Base & { readonly account: string; readonly reason: string };
  'crm.reconciled': Base & { readonly checked: number; readonly drifted: number; readonly repaired: number };
  'alert.raised': { readonly tenantId: string | null; readonly at: Date; readonly kind: string; readonly key: string; readonly severity: 'warning' | 'critical'; readonly message: string };
  'alert.resolved': { readonly tenantId: string | null; readonly at: Date; readonly kind: string; readonly key: string };
}

export type DomainEventName = keyof DomainEventMap;
export type DomainEvent<Name extends DomainEventName = DomainEventName> = DomainEventMap[Name];

type Listeners = { [Name in DomainEventName]: (event: DomainEventMap[Name]) => void };

/** The typed event bus. */
export type DomainEvents = EventEmitter<Listeners>;

export function createDomainEvents(): DomainEvents {
  return new EventEmitter<Listeners>();
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
