/**
 * What the scheduler-store tests share: the subject, the rows' owners (created through the
 * repositories when the store checks foreign keys), and shorthands for the claim protocol.
 */
import { randomUUID } from 'node:crypto';
import type { Repositories, ScheduledKind, ScheduledMessage, SchedulerStore, newScheduledMessageSchema } from '@sdr/core';
import {
  buildAppointment,
  buildBillingCycle,
  buildContact,
  buildLead,
  buildScheduledMessageInput,
  buildTenant,
  newId,
  type Overrides,
} from './fixtures.js';
import { arrange, type ConformanceOptions, type SubjectBase } from './harness.js';

/** What `create` returns for the scheduler-store suite. */
export interface SchedulerSubject extends SubjectBase {
  /** The implementation under test. */
  readonly scheduler: SchedulerStore;
  /**
   * Give the store's repositories when scheduled messages reference tenants, leads, contacts,
   * appointments or billing cycles by foreign key: the suite then creates those rows first.
   */
  readonly repositories?: Repositories;
}

/** Side door into the scheduled-messages table. */
export interface SchedulerInspector<Subject extends SchedulerSubject> {
  /** Every stored row of a tenant, whatever its status, straight from storage. */
  rows(
    subject: Subject,
    tenantId: string,
  ): Promise<readonly { readonly id: string; readonly dedupeKey: string; readonly status: string }[]>;
}

export interface SchedulerConformanceOptions<Subject extends SchedulerSubject = SchedulerSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: SchedulerInspector<Subject>;
}

/** A fixed instant the tests count from; the store is driven only by the `now` it is given. */
export const T0 = new Date('2031-03-04T12:00:00.000Z');
export const minute = 60_000;
export const leaseMs = 15 * minute;

/** `T0` shifted by `ms`. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

export function newWorkerId(): string {
  return `worker-${randomUUID()}`;
}

/** One test's world: a subject, a tenant, and helpers that keep rows in that tenant. */
export interface SchedulerWorld<Subject extends SchedulerSubject> {
  readonly subject: Subject;
  readonly scheduler: SchedulerStore;
  readonly tenantId: string;
  newTenant(): Promise<string>;
  newLead(tenantId?: string): Promise<string>;
  newContact(tenantId?: string): Promise<string>;
  newAppointment(leadId: string, tenantId?: string): Promise<string>;
  newBillingCycle(contactId: string, tenantId?: string): Promise<string>;
  /** Schedules a row for a fresh lead of the world's tenant unless the overrides say otherwise. */
  schedule(overrides?: Overrides<typeof newScheduledMessageSchema>): Promise<ScheduledMessage>;
  claim(input: {
    readonly now: Date;
    readonly workerId: string;
    readonly limit?: number;
    readonly leaseMs?: number;
    readonly kinds?: readonly ScheduledKind[];
  }): Promise<ScheduledMessage[]>;
  /** `get` that fails the test when the row is missing. */
  read(id: string, tenantId?: string): Promise<ScheduledMessage>;
}

export type SchedulerSetup<Subject extends SchedulerSubject> = () => Promise<SchedulerWorld<Subject>>;

export function schedulerSetup<Subject extends SchedulerSubject>(options: SchedulerConformanceOptions<Subject>): SchedulerSetup<Subject> {
  return async () => {
    const subject = await arrange(options);
    const { scheduler, repositories } = subject;

    const newTenant = async (): Promise<string> => {
      const tenant = buildTenant();
      await repositories?.tenants.create(tenant);
      return tenant.id;
    };
    const tenantId = await newTenant();

    const newLead = async (owner = tenantId): Promise<string> => {
      const lead = buildLead({ tenantId: owner });
      await repositories?.leads.create(lead);
      return lead.id;
    };
    const newContact = async (owner = tenantId): Promise<string> => {
      const contact = buildContact({ tenantId: owner });
      await repositories?.contacts.create(contact);
      return contact.id;
    };
    const newAppointment = async (leadId: string, owner = tenantId): Promise<string> => {
      const appointment = buildAppointment({ tenantId: owner, leadId, calendarId: `calendar-${newId()}` });
      await repositories?.appointments.create(appointment);
      return appointment.id;
    };
    const newBillingCycle = async (contactId: string, owner = tenantId): Promise<string> => {
      const cycle = buildBillingCycle({ tenantId: owner, contactId });
      await repositories?.billingCycles.create(cycle);
      return cycle.id;
    };

    const schedule = async (overrides: Overrides<typeof newScheduledMessageSchema> = {}): Promise<ScheduledMessage> => {
      const owner = overrides.tenantId ?? tenantId;
      const recipient = overrides.leadId !== undefined || overrides.contactId !== undefined ? {} : { leadId: await newLead(owner) };
      const { message, created } = await scheduler.schedule(
        buildScheduledMessageInput({ dueAt: T0, ...recipient, ...overrides, tenantId: owner }),
      );
      if (!created) throw new TypeError(`the fresh dedupe key ${message.dedupeKey} was reported as existing`);
      return message;
    };

    const claim: SchedulerWorld<Subject>['claim'] = (input) =>
      scheduler.claimDue({
        now: input.now,
        workerId: input.workerId,
        limit: input.limit ?? 100,
        leaseMs: input.leaseMs ?? leaseMs,
        ...(input.kinds === undefined ? {} : { kinds: input.kinds }),
      });

    const read = async (id: string, owner = tenantId): Promise<ScheduledMessage> => {
      const row = await scheduler.get(owner, id);
      if (!row) throw new TypeError(`scheduled message ${id} is missing`);
      return row;
    };

    return { subject, scheduler, tenantId, newTenant, newLead, newContact, newAppointment, newBillingCycle, schedule, claim, read };
  };
}

/** Ids of the rows in `rows`, sorted, for set comparisons. */
export function idsOf(rows: readonly { readonly id: string }[]): string[] {
  return rows.map((row) => row.id).sort();
}

/** Keeps the rows of the given ids (claims and recoveries span tenants). */
export function only<Row extends { readonly id: string }>(rows: readonly Row[], ids: readonly string[]): Row[] {
  const wanted = new Set(ids);
  return rows.filter((row) => wanted.has(row.id));
}
