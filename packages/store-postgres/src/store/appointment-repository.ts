/**
 * PostgreSQL `AppointmentRepository`. Double booking is refused by the exclusion constraint
 * `appointments_no_overlap` (SQLSTATE 23P01 ⇒ `SlotUnavailableError`), on insert and on update,
 * however many processes book at once.
 *
 * Inserts on one calendar take turns on a transaction-scoped advisory lock taken by the insert
 * statement itself. Without it, concurrent inserts checked by the exclusion constraint wait on
 * each other's uncommitted index entries and deadlock (PostgreSQL breaks that only after
 * `deadlock_timeout`, a second by default): a hundred callers after one slot took seconds to be
 * refused. With it each insert meets only committed rows and is refused at once. The constraint
 * still decides; the turn only orders the checks.
 */
import { appointmentSchema, parseOrThrow, type Appointment, type AppointmentRepository, type AppointmentStatus } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, isUuid, textOrNull, toDate, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { updateVersioned } from './versioned-update.js';

/** The appointment repository over `context`. */
export function createAppointmentRepository(context: StoreContext): AppointmentRepository {
  const table = `${context.schema}.appointments`;
  return {
    async get(tenantId, id) {
      if (!isUuid(tenantId) || !isUuid(id)) return null;
      const [row] = await context.exec.query('appointments.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return row ? toAppointment(row) : null;
    },

    async create(appointment) {
      const parsed = parseOrThrow(appointmentSchema, appointment, 'appointment');
      const [row] = await context.exec.write(
        'appointments.create',
        `INSERT INTO ${table} (id, tenant_id, lead_id, calendar_id, start_at, end_at, status, calendar_event_id, rescheduled_from_id,
                               created_at, updated_at, version)
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::timestamptz, $6::timestamptz, $7::text, $8::text, $9::uuid,
                $10::timestamptz, $11::timestamptz, $12::integer
         FROM (SELECT pg_advisory_xact_lock(hashtextextended($13::text, 0))) AS turn RETURNING *`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.leadId,
          parsed.calendarId,
          instant(parsed.start),
          instant(parsed.end),
          parsed.status,
          parsed.calendarEventId,
          parsed.rescheduledFromId,
          instant(parsed.createdAt),
          instant(parsed.updatedAt),
          parsed.version,
          `@sdr/store-postgres:appointments:${context.schemaName}:${parsed.tenantId}:${parsed.calendarId}`,
        ],
      );
      return toAppointment(row ?? {});
    },

    async update(appointment) {
      const parsed = parseOrThrow(appointmentSchema, appointment, 'appointment');
      const row = await updateVersioned(context, {
        operation: 'appointments.update',
        sql: `UPDATE ${table} SET lead_id = $4, calendar_id = $5, start_at = $6::timestamptz, end_at = $7::timestamptz, status = $8,
                calendar_event_id = $9, rescheduled_from_id = $10, updated_at = $11::timestamptz, version = version + 1
              WHERE id = $1 AND tenant_id = $2 AND version = $3 RETURNING *`,
        params: [
          parsed.id,
          parsed.tenantId,
          parsed.version,
          parsed.leadId,
          parsed.calendarId,
          instant(parsed.start),
          instant(parsed.end),
          parsed.status,
          parsed.calendarEventId,
          parsed.rescheduledFromId,
          instant(parsed.updatedAt),
        ],
        table: 'appointments',
        resource: 'appointment',
        tenantId: parsed.tenantId,
        id: parsed.id,
        expectedVersion: parsed.version,
      });
      return toAppointment(row);
    },

    async releaseHold(tenantId, id) {
      if (!isUuid(tenantId) || !isUuid(id)) return false;
      const rows = await context.exec.write(
        'appointments.releaseHold',
        `DELETE FROM ${table} WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled' AND calendar_event_id IS NULL RETURNING id`,
        [tenantId, id],
      );
      return rows.length > 0;
    },

    async listByLead(tenantId, leadId, options) {
      if (!isUuid(tenantId) || !isUuid(leadId)) return [];
      const rows = await context.exec.query(
        'appointments.listByLead',
        `SELECT * FROM ${table} WHERE tenant_id = $1 AND lead_id = $2 AND ($3::text[] IS NULL OR status = ANY($3::text[]))
         ORDER BY start_at, end_at, id`,
        [tenantId, leadId, statusesOrNull(options?.statuses)],
      );
      return rows.map(toAppointment);
    },

    async listInRange(tenantId, calendarId, from, to, options) {
      if (!isUuid(tenantId)) return [];
      const rows = await context.exec.query(
        'appointments.listInRange',
        `SELECT * FROM ${table}
         WHERE tenant_id = $1 AND calendar_id = $2 AND status = ANY($3::text[]) AND start_at < $5::timestamptz AND end_at > $4::timestamptz
         ORDER BY start_at, end_at, id`,
        [tenantId, calendarId, [...(options?.statuses ?? ['scheduled'])], instant(from), instant(to)],
      );
      return rows.map(toAppointment);
    },
  };
}

function statusesOrNull(statuses: readonly AppointmentStatus[] | undefined): string[] | null {
  return statuses === undefined ? null : [...statuses];
}

function toAppointment(row: Row): Appointment {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    leadId: String(row['lead_id']),
    calendarId: String(row['calendar_id']),
    start: toDate(row['start_at']),
    end: toDate(row['end_at']),
    status: row['status'] as AppointmentStatus,
    calendarEventId: textOrNull(row['calendar_event_id']),
    rescheduledFromId: textOrNull(row['rescheduled_from_id']),
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}
