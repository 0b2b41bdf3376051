/**
 * In-memory `AppointmentRepository`. Like the PostgreSQL exclusion constraint, it refuses a
 * `scheduled` appointment overlapping another `scheduled` one on the same tenant calendar —
 * on create and on update — with `SlotUnavailableError`. Intervals are half-open, so
 * back-to-back meetings are fine.
 */
import { DuplicateError, NotFoundError, SlotUnavailableError, VersionConflictError } from '../../errors/index.js';
import { appointmentSchema, type Appointment, type AppointmentStatus } from '../../domain/model/appointment.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { AppointmentRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { overlaps } from '../../internal/interval.js';
import { nextVersionOf, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The appointment repository over `runtime`. */
export function createAppointmentRepository(runtime: StoreRuntime): AppointmentRepository {
  return {
    get: (tenantId, id) => runtime.read('appointments.get', (unit) => cloneOrNull(unit.table('appointments').get(keyOf(tenantId, id)))),

    create: (appointment) =>
      runtime.write('appointments.create', (unit) => {
        const row = parseOrThrow(appointmentSchema, appointment, 'appointment');
        const table = unit.table('appointments');
        // Ids are unique per tenant (PostgreSQL: the primary key is (tenant_id, id)).
        if (table.has(keyOf(row.tenantId, row.id))) throw new DuplicateError('appointment', row.id);
        assertSlotFree(table, row);
        table.set(keyOf(row.tenantId, row.id), row);
        return cloneValue(row);
      }),

    update: (appointment) =>
      runtime.write('appointments.update', (unit) => {
        const row = parseOrThrow(appointmentSchema, appointment, 'appointment');
        const table = unit.table('appointments');
        const stored = table.get(keyOf(row.tenantId, row.id));
        if (stored === undefined) throw new NotFoundError('appointment', row.id);
        if (stored.version !== row.version) throw new VersionConflictError('appointment', row.id, row.version);
        const next = nextVersionOf(stored, row);
        assertSlotFree(table, next);
        table.set(keyOf(next.tenantId, next.id), next);
        return cloneValue(next);
      }),

    releaseHold: (tenantId, id) =>
      runtime.write('appointments.releaseHold', (unit) => {
        const table = unit.table('appointments');
        const stored = table.get(keyOf(tenantId, id));
        if (stored?.status !== 'scheduled' || stored.calendarEventId !== null) return false;
        table.delete(keyOf(tenantId, id));
        return true;
      }),

    listByLead: (tenantId, leadId, options) =>
      runtime.read('appointments.listByLead', (unit) =>
        byStart(
          rowsOf(unit.table('appointments'), tenantId).filter(
            (appointment) => appointment.leadId === leadId && hasStatus(appointment, options?.statuses),
          ),
        ),
      ),

    listInRange: (tenantId, calendarId, from, to, options) =>
      runtime.read('appointments.listInRange', (unit) => {
        const statuses = options?.statuses ?? ['scheduled'];
        return byStart(
          rowsOf(unit.table('appointments'), tenantId).filter(
            (appointment) =>
              appointment.calendarId === calendarId && hasStatus(appointment, statuses) && overlaps(appointment, { start: from, end: to }),
          ),
        );
      }),
  };
}

function hasStatus(appointment: Appointment, statuses: readonly AppointmentStatus[] | undefined): boolean {
  return statuses === undefined || statuses.includes(appointment.status);
}

/** The table's key of an appointment: ids are unique per tenant. */
function keyOf(tenantId: string, id: string): string {
  return `${tenantId}\u0000${id}`;
}

function byStart(appointments: Appointment[]): Appointment[] {
  return appointments.sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime()).map(cloneValue);
}

function assertSlotFree(table: TableOverlay<Appointment>, appointment: Appointment): void {
  if (appointment.status !== 'scheduled') return;
  const clash = rowsOf(table, appointment.tenantId).find(
    (other) =>
      other.id !== appointment.id &&
      other.status === 'scheduled' &&
      other.calendarId === appointment.calendarId &&
      overlaps(other, appointment),
  );
  if (clash) {
    throw new SlotUnavailableError(
      `calendar ${appointment.calendarId} already has a scheduled appointment from ${clash.start.toISOString()} to ${clash.end.toISOString()}`,
      { details: { calendarId: appointment.calendarId, conflictingAppointmentId: clash.id } },
    );
  }
}
