/** Reading scheduled-message rows, and the filter every criterion-based statement shares. */
import type { ScheduledMessage, ScheduledMessageFilter } from '@sdr/core';
import type { Row } from '../database/database.js';
import { isUuid, type Parameters, textOrNull, toDate, toDateOrNull, toInteger } from './sql-values.js';
import { toStoredError } from './stored-errors.js';

/** The row as the domain sees it. */
export function toScheduledMessage(row: Row): ScheduledMessage {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    leadId: textOrNull(row['lead_id']),
    contactId: textOrNull(row['contact_id']),
    kind: row['kind'] as ScheduledMessage['kind'],
    channel: row['channel'] as ScheduledMessage['channel'],
    dedupeKey: String(row['dedupe_key']),
    dueAt: toDate(row['due_at']),
    status: row['status'] as ScheduledMessage['status'],
    attempts: toInteger(row['attempts']),
    lastError: toStoredError(row['last_error']),
    lockedBy: textOrNull(row['locked_by']),
    lockedAt: toDateOrNull(row['locked_at']),
    leaseExpiresAt: toDateOrNull(row['lease_expires_at']),
    templateKey: textOrNull(row['template_key']),
    payload: row['payload'] as ScheduledMessage['payload'],
    explanation: (row['explanation'] ?? null) as ScheduledMessage['explanation'],
    appointmentId: textOrNull(row['appointment_id']),
    billingCycleId: textOrNull(row['billing_cycle_id']),
    sentAt: toDateOrNull(row['sent_at']),
    providerMessageId: textOrNull(row['provider_message_id']),
    skipReason: (row['skip_reason'] ?? null) as ScheduledMessage['skipReason'],
    cancelReason: textOrNull(row['cancel_reason']),
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
  };
}

/** By `dueAt`, then `createdAt`, then id: the order `list`, `cancel` and claims use. */
export function byDueAt(rows: ScheduledMessage[]): ScheduledMessage[] {
  return rows.sort(
    (a, b) =>
      a.dueAt.getTime() - b.dueAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * The `WHERE` clause of a filter: rows of its tenant matching **every** criterion given. A list
 * criterion given empty matches nothing (SQL `= ANY('{}')`). `null` when no row can match (an id
 * that is not a UUID cannot exist), so that the caller skips the statement.
 */
export function filterCondition(filter: ScheduledMessageFilter, params: Parameters): string | null {
  const uuids = [filter.tenantId, filter.leadId, filter.contactId, filter.appointmentId, filter.billingCycleId];
  if (uuids.some((value) => value !== undefined && !isUuid(value))) return null;
  const conditions = [`tenant_id = ${params.push(filter.tenantId)}`];
  if (filter.ids !== undefined) conditions.push(`id = ANY(${params.push(filter.ids.filter(isUuid))}::uuid[])`);
  if (filter.dedupeKeys !== undefined) conditions.push(`dedupe_key = ANY(${params.push([...filter.dedupeKeys])}::text[])`);
  if (filter.kinds !== undefined) conditions.push(`kind = ANY(${params.push([...filter.kinds])}::text[])`);
  if (filter.statuses !== undefined) conditions.push(`status = ANY(${params.push([...filter.statuses])}::text[])`);
  if (filter.leadId !== undefined) conditions.push(`lead_id = ${params.push(filter.leadId)}`);
  if (filter.contactId !== undefined) conditions.push(`contact_id = ${params.push(filter.contactId)}`);
  if (filter.appointmentId !== undefined) conditions.push(`appointment_id = ${params.push(filter.appointmentId)}`);
  if (filter.billingCycleId !== undefined) conditions.push(`billing_cycle_id = ${params.push(filter.billingCycleId)}`);
  return conditions.join(' AND ');
}
