/**
 * Repository tests: the outbox (per-aggregate claims, ownership, retries, recovery).
 * Claims span tenants, so every assertion keeps to the entries the test wrote.
 */
import { randomUUID } from 'node:crypto';
import type { OutboxEntry, StoredError, newOutboxEntrySchema } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildOutboxEntryInput, newId, type Overrides } from './fixtures.js';
import type { RepositoryConformanceOptions, StoreSetup, StoreSubject, StoreWorld } from './repository-context.js';

const T0 = new Date('2031-07-01T12:00:00.000Z');
const minute = 60_000;
const leaseMs = 5 * minute;
const error: StoredError = { code: 'provider_unavailable', message: 'CRM down', transient: true, at: T0 };

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function worker(): string {
  return `worker-${randomUUID()}`;
}

export function registerOutboxTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  const append = (world: StoreWorld<Subject>, overrides: Overrides<typeof newOutboxEntrySchema> = {}) =>
    world.store.outbox.append(buildOutboxEntryInput({ tenantId: world.tenantId, availableAt: at(-minute), ...overrides }));
  interface ClaimInput {
    readonly workerId: string;
    readonly now?: Date;
    readonly maxAggregates?: number;
    readonly topic?: 'crm' | 'calendar';
  }
  const claim = (world: StoreWorld<Subject>, input: ClaimInput) =>
    world.store.outbox.claim({
      topic: input.topic ?? 'crm',
      now: input.now ?? T0,
      workerId: input.workerId,
      leaseMs,
      maxAggregates: input.maxAggregates ?? 100,
    });
  const of = (entries: readonly OutboxEntry[], aggregateIds: readonly string[]) =>
    entries.filter((entry) => aggregateIds.includes(entry.aggregateId));
  const read = async (world: StoreWorld<Subject>, aggregateId: string) =>
    world.store.outbox.list({ tenantId: world.tenantId, aggregateId });

  describe('outbox', () => {
    it(
      'append stores a pending entry with a strictly increasing sequence',
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const first = await append(world, { aggregateId, payload: { stage: 'won', tags: ['a'] } });
        const second = await append(world, { aggregateId });
        const third = await append(world);
        expect(first).toMatchObject({
          tenantId: world.tenantId,
          topic: 'crm',
          aggregateId,
          status: 'pending',
          attempts: 0,
          lockedBy: null,
        });
        expect(first.payload).toEqual({ stage: 'won', tags: ['a'] });
        expect(first.availableAt.getTime()).toBe(at(-minute).getTime());
        expect(second.sequence).toBeGreaterThan(first.sequence);
        expect(third.sequence).toBeGreaterThan(second.sequence);
      },
      options.timeoutMs,
    );

    it(
      "claim hands out all available entries of an aggregate, in sequence order, marked processing under the worker's lease; other topics stay",
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const entries = [await append(world, { aggregateId }), await append(world, { aggregateId }), await append(world, { aggregateId })];
        const calendarEntry = await append(world, { aggregateId, topic: 'calendar', type: 'appointment.cancel_event' });
        const workerId = worker();
        const claimed = of(await claim(world, { workerId }), [aggregateId]);
        expect(claimed.map((entry) => entry.id)).toEqual(entries.map((entry) => entry.id));
        for (const entry of claimed) {
          expect(entry).toMatchObject({ status: 'processing', lockedBy: workerId });
          expect(entry.leaseExpiresAt?.getTime()).toBe(T0.getTime() + leaseMs);
        }
        expect((await world.store.outbox.list({ tenantId: world.tenantId, aggregateId, topic: 'calendar' }))[0]?.status).toBe('pending');
        expect(of(await claim(world, { workerId: worker(), topic: 'calendar' }), [aggregateId]).map((entry) => entry.id)).toEqual([
          calendarEntry.id,
        ]);
      },
      options.timeoutMs,
    );

    it(
      'claim takes at most maxAggregates aggregates, each with all of its entries',
      async () => {
        const world = await setup();
        const aggregates = [newId(), newId(), newId()];
        for (const aggregateId of aggregates) for (let index = 0; index < 2; index += 1) await append(world, { aggregateId });
        const first = of(await claim(world, { workerId: worker(), maxAggregates: 2 }), aggregates);
        const firstAggregates = [...new Set(first.map((entry) => entry.aggregateId))];
        expect(firstAggregates).toHaveLength(2);
        expect(first).toHaveLength(4);
        const second = of(await claim(world, { workerId: worker(), maxAggregates: 2 }), aggregates);
        expect(second.map((entry) => entry.aggregateId)).toEqual(
          aggregates.filter((id) => !firstAggregates.includes(id)).flatMap((id) => [id, id]),
        );
      },
      options.timeoutMs,
    );

    it(
      "an aggregate held under another worker's live lease is not handed out, even its new entries, until that worker completes",
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const first = await append(world, { aggregateId });
        const holder = worker();
        expect(of(await claim(world, { workerId: holder }), [aggregateId])).toHaveLength(1);
        const later = await append(world, { aggregateId });
        expect(of(await claim(world, { workerId: worker(), now: at(minute) }), [aggregateId])).toEqual([]);
        expect(await world.store.outbox.complete({ ids: [first.id], workerId: holder, now: at(2 * minute) })).toBe(1);
        expect(of(await claim(world, { workerId: worker(), now: at(3 * minute) }), [aggregateId]).map((entry) => entry.id)).toEqual([
          later.id,
        ]);
      },
      options.timeoutMs,
    );

    it(
      'an aggregate whose entry waits for a retry is not handed out until the retry is due, then in sequence order',
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const failing = await append(world, { aggregateId });
        const holder = worker();
        await claim(world, { workerId: holder });
        expect(await world.store.outbox.fail({ ids: [failing.id], workerId: holder, now: T0, error, retryAt: at(10 * minute) })).toBe(1);
        const next = await append(world, { aggregateId });
        expect(of(await claim(world, { workerId: worker(), now: at(minute) }), [aggregateId])).toEqual([]);
        expect(of(await claim(world, { workerId: worker(), now: at(10 * minute) }), [aggregateId]).map((entry) => entry.id)).toEqual([
          failing.id,
          next.id,
        ]);
      },
      options.timeoutMs,
    );

    it(
      "complete marks the holder's entries done (counting them); another worker completes nothing; done entries are never handed out again",
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const entries = [await append(world, { aggregateId }), await append(world, { aggregateId })];
        const holder = worker();
        await claim(world, { workerId: holder });
        const ids = entries.map((entry) => entry.id);
        expect(await world.store.outbox.complete({ ids, workerId: worker(), now: T0 })).toBe(0);
        expect(await world.store.outbox.complete({ ids, workerId: holder, now: at(1000) })).toBe(2);
        for (const entry of await read(world, aggregateId)) {
          expect(entry.status).toBe('done');
          expect(entry.processedAt?.getTime()).toBe(at(1000).getTime());
        }
        expect(await world.store.outbox.complete({ ids, workerId: holder, now: at(2000) })).toBe(0);
        expect(of(await claim(world, { workerId: worker(), now: at(60 * minute) }), [aggregateId])).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'fail counts an attempt: with retryAt back to pending at that time with the error stored, with null dead; only the holder can fail',
      async () => {
        const world = await setup();
        const retried = await append(world);
        const dead = await append(world);
        const holder = worker();
        await claim(world, { workerId: holder });
        expect(await world.store.outbox.fail({ ids: [retried.id, dead.id], workerId: worker(), now: T0, error, retryAt: null })).toBe(0);
        expect(await world.store.outbox.fail({ ids: [retried.id], workerId: holder, now: T0, error, retryAt: at(30 * minute) })).toBe(1);
        expect(await world.store.outbox.fail({ ids: [dead.id], workerId: holder, now: T0, error, retryAt: null })).toBe(1);
        const [retriedRow] = await read(world, retried.aggregateId);
        expect(retriedRow).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'provider_unavailable', transient: true } });
        expect(retriedRow?.availableAt.getTime()).toBe(at(30 * minute).getTime());
        expect((await read(world, dead.aggregateId))[0]).toMatchObject({ status: 'dead', attempts: 1 });
        expect(of(await claim(world, { workerId: worker(), now: at(60 * minute) }), [dead.aggregateId])).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'recoverStuck returns processing entries past their lease to pending; the stale worker can then no longer complete them',
      async () => {
        const world = await setup();
        const entry = await append(world);
        const stale = worker();
        await claim(world, { workerId: stale });
        await world.store.outbox.recoverStuck({ now: at(leaseMs - 1) });
        expect((await read(world, entry.aggregateId))[0]?.status).toBe('processing');
        expect(await world.store.outbox.recoverStuck({ now: at(leaseMs + 1) })).toBeGreaterThanOrEqual(1);
        expect((await read(world, entry.aggregateId))[0]?.status).toBe('pending');
        const fresh = worker();
        expect(of(await claim(world, { workerId: fresh, now: at(leaseMs + 2) }), [entry.aggregateId])).toHaveLength(1);
        expect(await world.store.outbox.complete({ ids: [entry.id], workerId: stale, now: at(leaseMs + 3) })).toBe(0);
        expect(await world.store.outbox.complete({ ids: [entry.id], workerId: fresh, now: at(leaseMs + 3) })).toBe(1);
      },
      options.timeoutMs,
    );

    it(
      'concurrent claimers never share an entry or split an aggregate, and together hand out every entry exactly once',
      async () => {
        const world = await setup();
        const aggregates = Array.from({ length: 8 }, newId);
        for (const aggregateId of aggregates) for (let index = 0; index < 3; index += 1) await append(world, { aggregateId });
        const seen = new Map<string, string>();
        const holderOf = new Map<string, Set<string>>();
        const workers = Array.from({ length: 6 }, worker);
        for (let round = 0; round < 20; round += 1) {
          const batches = await Promise.all(workers.map((workerId) => claim(world, { workerId, maxAggregates: 2 })));
          for (const [index, batch] of batches.entries()) {
            const workerId = workers[index] ?? '';
            for (const entry of of(batch, aggregates)) {
              expect(seen.has(entry.id)).toBe(false);
              seen.set(entry.id, workerId);
              holderOf.set(entry.aggregateId, new Set([...(holderOf.get(entry.aggregateId) ?? []), workerId]));
            }
            await world.store.outbox.complete({ ids: batch.map((entry) => entry.id), workerId, now: T0 });
          }
          if (batches.every((batch) => batch.length === 0)) break;
        }
        expect(seen.size).toBe(24);
        for (const holders of holderOf.values()) expect(holders.size).toBe(1);
      },
      options.timeoutMs,
    );

    it(
      'list filters by tenant, topic, aggregate and status; stats count pending and dead entries and the oldest pending one',
      async () => {
        const world = await setup();
        const aggregateId = newId();
        const oldest = await append(world, { aggregateId });
        await append(world, { aggregateId, topic: 'calendar', type: 'appointment.cancel_event' });
        const dead = await append(world);
        const holder = worker();
        await claim(world, { workerId: holder, maxAggregates: 100 });
        await world.store.outbox.fail({ ids: [dead.id], workerId: holder, now: T0, error, retryAt: null });
        await world.store.outbox.recoverStuck({ now: at(leaseMs + 1) });
        expect((await world.store.outbox.list({ tenantId: world.tenantId, topic: 'crm', aggregateId })).map((entry) => entry.id)).toEqual([
          oldest.id,
        ]);
        expect((await world.store.outbox.list({ tenantId: world.tenantId, statuses: ['dead'] })).map((entry) => entry.id)).toEqual([
          dead.id,
        ]);
        expect(await world.store.outbox.list({ tenantId: (await world.newTenant()).id })).toEqual([]);
        const stats = await world.store.outbox.stats({ topic: 'crm', tenantId: world.tenantId });
        expect(stats).toMatchObject({ pending: 1, dead: 1 });
        expect(stats.oldestPendingAt?.getTime()).toBe(oldest.createdAt.getTime());
      },
      options.timeoutMs,
    );
  });
}
