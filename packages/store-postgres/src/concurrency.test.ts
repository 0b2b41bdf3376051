/**
 * Real concurrency, on PostgreSQL only (PGlite is one connection: its transactions take turns):
 * several pools — as several processes would — hammer the claim, book one slot, append to and
 * claim the outbox, and migrate at once.
 */
import { randomUUID } from 'node:crypto';
import { SlotUnavailableError, VirtualClock, type Store } from '@sdr/core';
import { buildAppointment, buildLead, buildOutboxEntryInput, buildTenant, settleAll } from '@sdr/testkit';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrations/migrate.js';
import { createPostgresStore } from './store/postgres-store.js';
import { describeEachDriver } from './test-support/test-database.js';

const now = new Date('2031-10-01T12:00:00.000Z');

// PGlite is one connection whose transactions take turns: real concurrency is proven here.
describeEachDriver(
  'concurrency across pools',
  (database) => {
    const stores = (count: number): Store[] =>
      Array.from({ length: count }, () => createPostgresStore({ db: database().newPool(4), clock: new VirtualClock(now) }));

    it('claims hammered by 6 pools × 3 workers never overlap and lose nothing (2 000 rows)', async () => {
      await database().reset();
      const [seed] = stores(1);
      if (!seed) throw new Error('no store');
      const tenant = await seed.tenants.create(buildTenant());
      const lead = await seed.leads.create(buildLead({ tenantId: tenant.id }));
      const total = 2000;
      await database().sql(
        `INSERT INTO sdr.scheduled_messages (id, tenant_id, lead_id, kind, channel, dedupe_key, due_at, status, attempts, payload, created_at, updated_at)
       SELECT gen_random_uuid(), $1, $2, 'reengage_1', 'whatsapp', 'hammer:' || n, $3::timestamptz - n * interval '1 ms', 'pending', 0, '{}', $3, $3
       FROM generate_series(1, $4) AS n`,
        [tenant.id, lead.id, now.toISOString(), total],
      );
      const claimedBy = new Map<string, string>();
      const duplicates: string[] = [];
      const worker = async (store: Store, workerId: string) => {
        for (;;) {
          const batch = await store.scheduledMessages.claimDue({ now, limit: 25, workerId, leaseMs: 60_000 });
          if (batch.length === 0) return;
          for (const row of batch) {
            if (claimedBy.has(row.id)) duplicates.push(row.id);
            claimedBy.set(row.id, workerId);
          }
          await Promise.all(batch.map((row) => store.scheduledMessages.markSent({ id: row.id, workerId, now, providerMessageId: null })));
        }
      };
      await Promise.all(stores(6).flatMap((store, pool) => [0, 1, 2].map((index) => worker(store, `pool-${pool}-worker-${index}`))));
      expect(duplicates).toEqual([]);
      expect(claimedBy.size).toBe(total);
      const [counts] = await database().sql<{ sent: number; other: number }>(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status <> 'sent')::int AS other FROM sdr.scheduled_messages`,
      );
      expect(counts).toEqual({ sent: total, other: 0 });
      expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
    });

    it('100 concurrent bookings of one slot from 5 pools: exactly one succeeds, 99 SlotUnavailableError', async () => {
      await database().reset();
      const pools = stores(5);
      const [first] = pools;
      if (!first) throw new Error('no store');
      const tenant = await first.tenants.create(buildTenant());
      const lead = await first.leads.create(buildLead({ tenantId: tenant.id }));
      const start = new Date('2031-10-02T13:00:00.000Z');
      const { values, errors } = await settleAll(
        Array.from({ length: 100 }, (_, index) => () => {
          const store = pools[index % pools.length] ?? first;
          const offset = (index % 4) * 5 * 60_000;
          return store.transaction((tx) =>
            tx.appointments.create(
              buildAppointment({ tenantId: tenant.id, leadId: lead.id, calendarId: 'sales', start: new Date(start.getTime() + offset) }),
            ),
          );
        }),
      );
      expect(values).toHaveLength(1);
      expect(errors).toHaveLength(99);
      expect(errors.filter((error) => !SlotUnavailableError.isInstance(error))).toEqual([]);
      const [row] = await database().sql<{ count: number }>(
        `SELECT count(*)::int AS count FROM sdr.appointments WHERE status = 'scheduled'`,
      );
      expect(row?.count).toBe(1);
    });

    it('outbox: appends racing with claims from 4 pools never split an aggregate or hand out an entry twice', async () => {
      await database().reset();
      const pools = stores(4);
      const [first] = pools;
      if (!first) throw new Error('no store');
      const tenant = await first.tenants.create(buildTenant());
      const aggregates = Array.from({ length: 10 }, () => randomUUID());
      const handedOut = new Map<string, number>();
      const order: string[] = [];
      let appending = true;
      const appender = async () => {
        for (let round = 0; round < 10; round += 1) {
          await Promise.all(
            aggregates.map((aggregateId, index) =>
              (pools[index % pools.length] ?? first).outbox.append(
                buildOutboxEntryInput({ tenantId: tenant.id, aggregateId, availableAt: new Date(now.getTime() - 1000) }),
              ),
            ),
          );
        }
        appending = false;
      };
      const claimer = async (store: Store, workerId: string) => {
        for (let idle = 0; idle < 3; ) {
          const batch = await store.outbox.claim({ topic: 'crm', now, workerId, leaseMs: 60_000, maxAggregates: 3 });
          if (batch.length === 0) {
            if (!appending) idle += 1;
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          for (const entry of batch) {
            handedOut.set(entry.id, (handedOut.get(entry.id) ?? 0) + 1);
            order.push(`${entry.aggregateId}:${entry.sequence}`);
          }
          await store.outbox.complete({ ids: batch.map((entry) => entry.id), workerId, now });
        }
      };
      await Promise.all([appender(), ...pools.map((store, index) => claimer(store, `claimer-${index}`))]);
      expect([...handedOut.values()].filter((count) => count > 1)).toEqual([]);
      expect(handedOut.size).toBe(100);
      // Within each aggregate, entries were handed out in sequence order.
      for (const aggregateId of aggregates) {
        const sequences = order.filter((item) => item.startsWith(aggregateId)).map((item) => Number(item.split(':')[1]));
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      }
    });

    describe('migrations', () => {
      it('two concurrent migrators on a fresh schema: one applies everything, the other nothing, both succeed', async () => {
        const schema = `race_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
        const [first, second] = await Promise.all([
          migrate({ db: database().newPool(1), schema }),
          migrate({ db: database().newPool(1), schema }),
        ]);
        const applied = [first.applied.length, second.applied.length].sort();
        expect(applied).toEqual([0, first.version]);
        const [row] = await database().sql<{ count: number }>(`SELECT count(*)::int AS count FROM ${schema}.migrations`);
        expect(row?.count).toBe(first.version);
      });
    });
  },
  { drivers: ['postgres'] },
);
