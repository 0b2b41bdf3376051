/**
 * The events an app can subscribe to, and the payload each domain event becomes:
 * `{ type, id, timestamp, tenantId, data }`, with ids and the facts an app needs — never a secret;
 * phones in E.164.
 */
import type { DeferredEvent, DomainEventMap, Repositories } from '@sdr/core';

/** Every event type a webhook endpoint may subscribe to (`ping` is sent by the test route only). */
export const webhookEventTypes = [
  'message.received',
  'message.sent',
  'message.failed',
  'lead.created',
  'lead.stage_changed',
  'lead.opted_out',
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.cancelled',
  'handoff.requested',
  'billing.cycle.paid',
  'billing.cycle.completed',
  'alert.raised',
  'alert.resolved',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** What one delivery carries. */
export interface WebhookPayload {
  readonly type: WebhookEventType | 'ping';
  readonly id: string;
  readonly timestamp: string;
  readonly tenantId: string;
  readonly data: Record<string, unknown>;
}

/** A domain event as a webhook event: its type, its tenant and its data; `null` when no webhook event matches. */
export interface WebhookEvent {
  readonly type: WebhookEventType;
  readonly tenantId: string;
  readonly at: Date;
  readonly data: Record<string, unknown>;
}

/**
 * The webhook event of a domain event. `tx` (the change's own transaction, when there is one)
 * adds what the event does not carry: the text of a received message, the phone of a new lead.
 */
export async function toWebhookEvent(deferred: DeferredEvent, tx: Repositories | null): Promise<WebhookEvent | null> {
  const of = (type: WebhookEventType, tenantId: string, at: Date, data: Record<string, unknown>): WebhookEvent => ({
    type,
    tenantId,
    at,
    data,
  });
  switch (deferred.name) {
    case 'message.received': {
      const { tenantId, at, leadId, messageId } = deferred.event;
      const message = tx === null ? null : await tx.messages.get(tenantId, messageId);
      const lead = tx === null ? null : await tx.leads.get(tenantId, leadId);
      return of('message.received', tenantId, at, {
        leadId,
        messageId,
        phone: lead?.phone ?? null,
        channel: message?.channel ?? null,
        body: message?.body ?? null,
      });
    }
    case 'message.sent': {
      const { tenantId, at, leadId, messageId, scheduledMessageId } = deferred.event;
      return of('message.sent', tenantId, at, { leadId, messageId, scheduledMessageId });
    }
    case 'scheduled.failed': {
      const { tenantId, at, scheduledMessageId, kind, error, final } = deferred.event;
      return final ? of('message.failed', tenantId, at, { scheduledMessageId, kind, error }) : null;
    }
    case 'lead.created': {
      const { tenantId, at, leadId } = deferred.event;
      const lead = tx === null ? null : await tx.leads.get(tenantId, leadId);
      return of('lead.created', tenantId, at, { leadId, phone: lead?.phone ?? null, name: lead?.name ?? null });
    }
    case 'stage.changed': {
      const { tenantId, at, leadId, from, to, source } = deferred.event;
      return of('lead.stage_changed', tenantId, at, { leadId, from, to, source });
    }
    case 'lead.opted_out':
      return of('lead.opted_out', deferred.event.tenantId, deferred.event.at, { leadId: deferred.event.leadId });
    case 'appointment.booked': {
      const { tenantId, at, leadId, appointmentId, start, end } = deferred.event;
      return of('appointment.booked', tenantId, at, { leadId, appointmentId, start: start.toISOString(), end: end.toISOString() });
    }
    case 'appointment.rescheduled': {
      const { tenantId, at, leadId, appointmentId, previousAppointmentId, start, end } = deferred.event;
      return of('appointment.rescheduled', tenantId, at, {
        leadId,
        appointmentId,
        previousAppointmentId,
        start: start.toISOString(),
        end: end.toISOString(),
      });
    }
    case 'appointment.cancelled': {
      const { tenantId, at, leadId, appointmentId, status } = deferred.event;
      return of('appointment.cancelled', tenantId, at, { leadId, appointmentId, status });
    }
    case 'handoff.requested': {
      const { tenantId, at, leadId, reason, requestedBy } = deferred.event;
      return of('handoff.requested', tenantId, at, { leadId, reason, requestedBy });
    }
    case 'billing.cycle_paid':
      return of('billing.cycle.paid', deferred.event.tenantId, deferred.event.at, { billingCycleId: deferred.event.billingCycleId });
    case 'billing.cycle_completed':
      return of('billing.cycle.completed', deferred.event.tenantId, deferred.event.at, { billingCycleId: deferred.event.billingCycleId });
    case 'alert.raised':
    case 'alert.resolved': {
      const { tenantId, at } = deferred.event;
      return tenantId === null ? null : of(deferred.name, tenantId, at, alertEventData(deferred.name, deferred.event));
    }
    default:
      return null;
  }
}

/** The data of an `alert.*` event: what webhook endpoints and alert webhook channels receive alike. */
export function alertEventData<Name extends 'alert.raised' | 'alert.resolved'>(
  name: Name,
  event: DomainEventMap[Name],
): Record<string, unknown> {
  const { kind, key } = event;
  if (name === 'alert.resolved') return { kind, key };
  const raised = event as DomainEventMap['alert.raised'];
  return { kind, key, severity: raised.severity, message: raised.message };
}
