import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../domain/model/outbox.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { T0, at, minute, newId } from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore } from './in-memory-store.js';

const leaseMs = minute;
const failure = { code: 'provider_unavailable', message: '503', transient: true, at: T0 };

function setup() {
  const store = createInMemoryStore({ clock: new VirtualClock(T0) });
  const tenantId = newId();
  const append = (aggregateId: string, type = 'lead.changed') =>
    store.outbox.append({ tenantId, topic: 'crm', aggregateType: 'lead', aggregateId, type });
  const claim = (workerId: string, now = T0, maxAggregates = 10) =>
    store.outbox.claim({ topic: 'crm', now, workerId, leaseMs, maxAggregates });
  return { outbox: store.outbox, tenantId, append, claim };
}

const ids = (entries: readonly OutboxEntry[]) => entries.map((entry) => entry.id);

describe('in-memory OutboxRepository', () => {
  it('assigns strictly increasing sequences and hands out whole aggregates in order, oldest first, up to maxAggregates', async () => {
    const { append, claim } = setup();
    const [a, b, c] = [newId(), newId(), newId()];
    const entries = [await append(a), await append(b), await append(a), await append(c)];
    expect(entries.map((entry) => entry.sequence)).toEqual([...entries.map((entry) => entry.sequence)].sort((x, y) => x - y));
    expect(new Set(entries.map((entry) => entry.sequence)).size).toBe(4);
    const first = await claim('w1', T0, 2);
    expect(ids(first)).toEqual(ids([entries[0], entries[1], entries[2]] as OutboxEntry[]));
    expect(first.every((entry) => entry.status === 'processing' && entry.lockedBy === 'w1')).toBe(true);
    expect(ids(await claim('w2'))).toEqual([entries[3]?.id]);
  });

  it('never hands out an aggregate another worker holds, nor one whose entry waits for a retry', async () => {
    const { append, claim, outbox } = setup();
    const aggregate = newId();
    const first = await append(aggregate);
    await claim('w1');
    const second = await append(aggregate);
    expect(await claim('w2')).toEqual([]);
    expect(await outbox.fail({ ids: [first.id], workerId: 'w1', now: T0, error: failure, retryAt: at(5 * minute) })).toBe(1);
    // The failed entry waits for its retry: its successor must not overtake it.
    expect(await claim('w2', at(minute))).toEqual([]);
    const retried = await claim('w2', at(5 * minute));
    expect(ids(retried)).toEqual([first.id, second.id]);
    expect(retried[0]).toMatchObject({ attempts: 1, lastError: { code: 'provider_unavailable' } });
  });

  it('an expired lease keeps its aggregate blocked until recoverStuck returns the entry, counting the lost attempt', async () => {
    const { append, claim, outbox, tenantId } = setup();
    const aggregate = newId();
    const first = await append(aggregate);
    await claim('crashed');
    const second = await append(aggregate);
    expect(await claim('w2', at(2 * leaseMs))).toEqual([]);
    expect(await outbox.recoverStuck({ now: at(2 * leaseMs) })).toBe(1);
    const [recovered] = await outbox.list({ tenantId, aggregateId: aggregate, statuses: ['pending'] });
    expect(recovered).toMatchObject({ id: first.id, attempts: 1, lastError: { code: 'lease_expired' } });
    expect(ids(await claim('w2', at(2 * leaseMs)))).toEqual([first.id, second.id]);
    // The crashed worker can no longer complete what it held.
    expect(await outbox.complete({ ids: [first.id], workerId: 'crashed', now: at(3 * leaseMs) })).toBe(0);
  });

  it('complete and fail act only on entries the worker holds; fail with null goes dead; stats count pending and dead', async () => {
    const { append, claim, outbox, tenantId } = setup();
    const [done, dead, pending] = [await append(newId()), await append(newId()), await append(newId())];
    await claim('w1', T0, 2);
    expect(await outbox.complete({ ids: [done.id, pending.id], workerId: 'w1', now: T0 })).toBe(1);
    expect(await outbox.fail({ ids: [dead.id], workerId: 'other', now: T0, error: failure, retryAt: null })).toBe(0);
    expect(await outbox.fail({ ids: [dead.id], workerId: 'w1', now: T0, error: failure, retryAt: null })).toBe(1);
    const listed = await outbox.list({ tenantId });
    expect(listed.map((entry) => entry.status)).toEqual(['done', 'dead', 'pending']);
    expect(listed[0]?.processedAt?.getTime()).toBe(T0.getTime());
    const stats = await outbox.stats({ topic: 'crm', tenantId });
    expect(stats).toMatchObject({ pending: 1, dead: 1 });
    expect(stats.oldestPendingAt?.getTime()).toBe(pending.createdAt.getTime());
  });

  it('concurrent claimers never share an aggregate', async () => {
    const { append, claim } = setup();
    for (let index = 0; index < 20; index += 1) {
      const aggregate = newId();
      await append(aggregate);
      await append(aggregate);
    }
    const batches = await Promise.all(Array.from({ length: 6 }, (_, index) => claim(`w${index}`, T0, 3)));
    const all = batches.flat();
    expect(new Set(ids(all)).size).toBe(all.length);
    const owners = new Map<string, Set<string>>();
    for (const entry of all) owners.set(entry.aggregateId, (owners.get(entry.aggregateId) ?? new Set()).add(entry.lockedBy ?? ''));
    expect([...owners.values()].every((workers) => workers.size === 1)).toBe(true);
    expect(all).toHaveLength(36);
  });
});
