/**
 * Repository tests: the unit of work. What a transaction writes is committed together, or —
 * when it throws — none of it is.
 */
import { DuplicateError, type Repositories } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import {
  buildAppointment,
  buildLead,
  buildMessage,
  buildOutboxEntryInput,
  buildPhoneNumber,
  buildScheduledMessageInput,
} from './fixtures.js';
import { expectSdrError, settleAll, sideDoorCheck, skipReason } from './harness.js';
import type { RepositoryConformanceOptions, StoreSetup, StoreSubject } from './repository-context.js';

export function registerTransactionTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  /** Writes a lead, a message, an appointment, a scheduled message and an outbox entry through `tx`. */
  async function writeEverything(tx: Repositories, tenantId: string) {
    const lead = await tx.leads.create(buildLead({ tenantId }));
    const message = buildMessage({ tenantId, leadId: lead.id, providerMessageId: `wamid-${lead.id}` });
    await tx.messages.append(message);
    const appointment = await tx.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: `calendar-${lead.id}` }));
    const { message: scheduled } = await tx.scheduledMessages.schedule(
      buildScheduledMessageInput({ tenantId, leadId: lead.id, kind: 'reminder_24h', appointmentId: appointment.id }),
    );
    const entry = await tx.outbox.append(buildOutboxEntryInput({ tenantId, aggregateId: lead.id, type: 'lead.created' }));
    return { lead, message, appointment, scheduled, entry };
  }

  describe('transactions', () => {
    it(
      'commits everything written in the unit together and returns what fn returned',
      async () => {
        const { store, tenantId } = await setup();
        const written = await store.transaction((tx) => writeEverything(tx, tenantId));
        expect(await store.leads.get(tenantId, written.lead.id)).toEqual(written.lead);
        expect(await store.messages.get(tenantId, written.message.id)).toEqual(written.message);
        expect(await store.appointments.get(tenantId, written.appointment.id)).toEqual(written.appointment);
        expect(await store.scheduledMessages.get(tenantId, written.scheduled.id)).toEqual(written.scheduled);
        expect((await store.outbox.list({ tenantId, aggregateId: written.lead.id })).map((entry) => entry.id)).toEqual([written.entry.id]);
      },
      options.timeoutMs,
    );

    it(
      'reads inside a transaction see its own writes',
      async () => {
        const { store, tenantId } = await setup();
        await store.transaction(async (tx) => {
          const { lead, scheduled } = await writeEverything(tx, tenantId);
          expect((await tx.leads.findByPhone(tenantId, lead.phone))?.id).toBe(lead.id);
          expect((await tx.scheduledMessages.get(tenantId, scheduled.id))?.id).toBe(scheduled.id);
        });
      },
      options.timeoutMs,
    );

    it(
      'rolls back EVERYTHING when fn throws — lead, message, appointment, scheduled message, outbox entry and updates — and rethrows that error',
      async (context) => {
        const { subject, store, tenantId } = await setup();
        const existing = await store.leads.create(buildLead({ tenantId }));
        const countsBefore = options.inspect ? await options.inspect.rowCounts(subject, tenantId) : undefined;
        const failure = new Error('fail after writing');
        let written: Awaited<ReturnType<typeof writeEverything>> | undefined;
        await expect(
          store.transaction(async (tx) => {
            written = await writeEverything(tx, tenantId);
            await tx.leads.update({ ...existing, stage: 'lost' });
            throw failure;
          }),
        ).rejects.toBe(failure);
        if (!written) return expect.fail('fn did not run');
        expect(await store.leads.get(tenantId, written.lead.id)).toBeNull();
        expect(await store.leads.findByPhone(tenantId, written.lead.phone)).toBeNull();
        expect(await store.messages.get(tenantId, written.message.id)).toBeNull();
        expect(await store.appointments.get(tenantId, written.appointment.id)).toBeNull();
        expect(await store.scheduledMessages.get(tenantId, written.scheduled.id)).toBeNull();
        expect(await store.outbox.list({ tenantId })).toEqual([]);
        expect(await store.leads.get(tenantId, existing.id)).toEqual(existing);
        await sideDoorCheck(context, options.inspect, 'no row of the tenant left behind in any table', async (inspect) => {
          expect(await inspect.rowCounts(subject, tenantId)).toEqual(countsBefore);
        });
        // The rolled-back unique keys are free again.
        expect((await store.leads.create(buildLead({ tenantId, phone: written.lead.phone }))).phone.e164).toBe(written.lead.phone.e164);
      },
      options.timeoutMs,
    );

    it(
      'a store error inside the unit (DuplicateError) aborts it: earlier writes are rolled back and the error reaches the caller',
      async () => {
        const { store, tenantId } = await setup();
        const taken = await store.leads.create(buildLead({ tenantId }));
        const fresh = buildLead({ tenantId });
        await expectSdrError(
          store.transaction(async (tx) => {
            await tx.leads.create(fresh);
            await tx.outbox.append(buildOutboxEntryInput({ tenantId, aggregateId: fresh.id }));
            await tx.leads.create(buildLead({ tenantId, phone: taken.phone }));
          }),
          DuplicateError,
        );
        expect(await store.leads.get(tenantId, fresh.id)).toBeNull();
        expect(await store.outbox.list({ tenantId, aggregateId: fresh.id })).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'concurrent transactions racing on one unique key: exactly one commits, and only its outbox entry exists',
      async () => {
        const { store, tenantId } = await setup();
        const phone = buildPhoneNumber();
        const { values, errors } = await settleAll(
          Array.from(
            { length: 8 },
            () => () =>
              store.transaction(async (tx) => {
                const lead = await tx.leads.create(buildLead({ tenantId, phone }));
                await tx.outbox.append(buildOutboxEntryInput({ tenantId, aggregateId: lead.id, type: 'lead.created' }));
                return lead;
              }),
          ),
        );
        expect(values).toHaveLength(1);
        expect(errors.filter((error) => !DuplicateError.isInstance(error))).toEqual([]);
        expect((await store.outbox.list({ tenantId })).map((entry) => entry.aggregateId)).toEqual([values[0]?.id]);
      },
      options.timeoutMs,
    );

    it(
      'isolation (capabilities.isolatedTransactions): reads outside do not see uncommitted writes, and see them after commit',
      async (context) => {
        const { store, tenantId, capabilities } = await setup();
        if (!capabilities.isolatedTransactions)
          context.skip(skipReason('the isolation check', 'capabilities.isolatedTransactions is not declared'));
        const lead = buildLead({ tenantId });
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let written: () => void = () => undefined;
        const wroteLead = new Promise<void>((resolve) => {
          written = resolve;
        });
        const unit = store.transaction(async (tx) => {
          await tx.leads.create(lead);
          written();
          await gate;
        });
        await wroteLead;
        expect(await store.leads.get(tenantId, lead.id)).toBeNull();
        release();
        await unit;
        expect(await store.leads.get(tenantId, lead.id)).toEqual(lead);
      },
      options.timeoutMs,
    );
  });
}
