/**
 * `runLockConformance`: proves a `LockPort` gives mutual exclusion with leases and fencing tokens
 * (packages/core/src/ports/lock/lock-port.ts).
 */
import { randomUUID } from 'node:crypto';
import { LockNotAcquiredError, withLock, type Lease, type LockPort } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import {
  arrange,
  createTimeControl,
  expectSdrError,
  sideDoorCheck,
  yieldToEventLoop,
  type ConformanceOptions,
  type SubjectBase,
  type TimeControl,
} from './harness.js';

/** What `create` returns for the lock suite. */
export interface LockSubject extends SubjectBase {
  /** The implementation under test. */
  readonly lock: LockPort;
}

/** Side door into the lock's storage (a Redis `GET`, a row of the locks table). */
export interface LockInspector<Subject extends LockSubject> {
  /** The live holder of `key` as stored, or `null` when the key is free. */
  holder(subject: Subject, key: string): Promise<{ readonly owner: string } | null>;
}

/** Real-time tuning of the lock suite. On a virtual clock the suite uses long, exact durations. */
export interface LockTiming {
  /** TTL of the leases tests let expire, on a real clock (default 60 ms). */
  readonly shortTtlMs?: number;
  /** Real time waited past a TTL before the lease counts as expired (default 40 ms). */
  readonly expiryMarginMs?: number;
  /** Accepted gap between `expiresAt` and the subject clock, on a real clock (default 1000 ms). */
  readonly clockToleranceMs?: number;
}

export interface LockConformanceOptions<Subject extends LockSubject = LockSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: LockInspector<Subject>;
  /** Real-clock durations (ignored on a virtual clock). */
  readonly timing?: LockTiming;
  /** How many acquirers race in the concurrency tests (default 8). */
  readonly concurrency?: number;
}

interface Durations {
  /** A TTL no test outlives. */
  readonly longTtl: number;
  readonly shortTtl: number;
  readonly margin: number;
  readonly tolerance: number;
  /** A wait long enough for any contention in these tests to resolve. */
  readonly longWait: number;
}

/**
 * Registers the `LockPort` conformance tests: mutual exclusion under concurrency, strictly
 * increasing fencing tokens, expired leases that can neither release nor extend (and never touch
 * the lease that replaced them), `waitMs`, and `withLock`.
 */
export function runLockConformance<Subject extends LockSubject>(options: LockConformanceOptions<Subject>): void {
  const concurrency = options.concurrency ?? 8;

  async function setup(): Promise<{ subject: Subject; lock: LockPort; time: TimeControl; durations: Durations; key: string }> {
    const subject = await arrange(options);
    const time = createTimeControl(subject.clock);
    const durations: Durations = time.virtual
      ? { longTtl: 600_000, shortTtl: 30_000, margin: 1_000, tolerance: 0, longWait: 3_600_000 }
      : {
          longTtl: 10_000,
          shortTtl: options.timing?.shortTtlMs ?? 60,
          margin: options.timing?.expiryMarginMs ?? 40,
          tolerance: options.timing?.clockToleranceMs ?? 1_000,
          longWait: 10_000,
        };
    return { subject, lock: subject.lock, time, durations, key: `conformance:lock:${randomUUID()}` };
  }

  async function expectExpiresAt(time: TimeControl, durations: Durations, ttlMs: number, call: () => Promise<Lease>): Promise<Lease> {
    const before = time.clock.now().getTime();
    const lease = await call();
    const after = time.clock.now().getTime();
    expect(lease.expiresAt).toBeInstanceOf(Date);
    expect(lease.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ttlMs - durations.tolerance);
    expect(lease.expiresAt.getTime()).toBeLessThanOrEqual(after + ttlMs + durations.tolerance);
    return lease;
  }

  async function acquireOrFail(lock: LockPort, key: string, ttlMs: number): Promise<Lease> {
    const lease = await lock.acquire(key, { ttlMs });
    if (!lease) return expect.fail(`expected to acquire the free key ${key}`);
    return lease;
  }

  describe(`LockPort conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1 and a provider name',
      async () => {
        const { lock } = await setup();
        expect(lock.contractVersion).toBe('v1');
        expect(typeof lock.provider).toBe('string');
        expect(lock.provider.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );

    it(
      'acquires a free key: the lease names the key, an owner, an integer fencing token and expiresAt = now + ttlMs',
      async () => {
        const { lock, time, durations, key } = await setup();
        const lease = await expectExpiresAt(time, durations, durations.longTtl, () => acquireOrFail(lock, key, durations.longTtl));
        expect(lease.key).toBe(key);
        expect(typeof lease.owner).toBe('string');
        expect(lease.owner.length).toBeGreaterThan(0);
        expect(Number.isSafeInteger(lease.fencingToken)).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'a held key is not acquired again (waitMs 0 answers null at once); other keys are independent',
      async () => {
        const { lock, durations, key } = await setup();
        const first = await acquireOrFail(lock, key, durations.longTtl);
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).toBeNull();
        expect(await lock.acquire(key, { ttlMs: durations.longTtl, waitMs: 0 })).toBeNull();
        const other = await acquireOrFail(lock, `${key}:other`, durations.longTtl);
        expect(other.owner).not.toBe(first.owner);
      },
      options.timeoutMs,
    );

    it(
      'release returns true and frees the key; releasing the same lease again returns false',
      async () => {
        const { lock, durations, key } = await setup();
        const lease = await acquireOrFail(lock, key, durations.longTtl);
        expect(await lock.release(lease)).toBe(true);
        expect(await lock.release(lease)).toBe(false);
        const next = await acquireOrFail(lock, key, durations.longTtl);
        expect(next.owner).not.toBe(lease.owner);
      },
      options.timeoutMs,
    );

    it(
      'fencing tokens strictly increase across acquisitions of one key, after release and after expiry',
      async () => {
        const { lock, time, durations, key } = await setup();
        const tokens: number[] = [];
        for (let round = 0; round < 3; round += 1) {
          const lease = await acquireOrFail(lock, key, durations.longTtl);
          tokens.push(lease.fencingToken);
          expect(await lock.release(lease)).toBe(true);
        }
        const expiring = await acquireOrFail(lock, key, durations.shortTtl);
        tokens.push(expiring.fencingToken);
        await time.pass(durations.shortTtl + durations.margin);
        tokens.push((await acquireOrFail(lock, key, durations.longTtl)).fencingToken);
        for (let index = 1; index < tokens.length; index += 1) expect(tokens[index]).toBeGreaterThan(tokens[index - 1] ?? Number.NaN);
      },
      options.timeoutMs,
    );

    it(
      `${concurrency} concurrent single-try acquirers of a free key: exactly one gets a lease`,
      async () => {
        const { lock, durations, key } = await setup();
        const leases = await Promise.all(Array.from({ length: concurrency }, () => lock.acquire(key, { ttlMs: durations.longTtl })));
        expect(leases.filter((lease) => lease !== null)).toHaveLength(1);
      },
      options.timeoutMs,
    );

    it(
      `${concurrency} concurrent waiting acquirers: at most one holder at any time; each gets its turn with a greater fencing token`,
      async () => {
        const { lock, time, durations, key } = await setup();
        let holders = 0;
        let maxHolders = 0;
        const tokensInEntryOrder: number[] = [];
        const worker = async (): Promise<void> => {
          const lease = await lock.acquire(key, { ttlMs: durations.longTtl, waitMs: durations.longWait });
          if (!lease) throw new LockNotAcquiredError(key, { message: 'a waiting acquirer gave up while others released the key' });
          holders += 1;
          maxHolders = Math.max(maxHolders, holders);
          tokensInEntryOrder.push(lease.fencingToken);
          // Stay in the critical section across several event-loop turns so that overlaps would show.
          await yieldToEventLoop(3);
          holders -= 1;
          expect(await lock.release(lease)).toBe(true);
        };
        await time.settle(Promise.all(Array.from({ length: concurrency }, worker)));
        expect(maxHolders).toBe(1);
        expect(tokensInEntryOrder).toHaveLength(concurrency);
        for (let index = 1; index < tokensInEntryOrder.length; index += 1) {
          expect(tokensInEntryOrder[index]).toBeGreaterThan(tokensInEntryOrder[index - 1] ?? Number.NaN);
        }
      },
      options.timeoutMs,
    );

    it(
      'an expired lease, key still free: release returns false and extend throws LockNotAcquiredError; the key can be taken',
      async () => {
        const { lock, time, durations, key } = await setup();
        const expired = await acquireOrFail(lock, key, durations.shortTtl);
        await time.pass(durations.shortTtl + durations.margin);
        expect(await lock.release(expired)).toBe(false);
        await expectSdrError(lock.extend(expired, durations.longTtl), LockNotAcquiredError);
        const next = await acquireOrFail(lock, key, durations.longTtl);
        expect(next.fencingToken).toBeGreaterThan(expired.fencingToken);
      },
      options.timeoutMs,
    );

    it(
      'an expired lease, key taken by another: extend throws LockNotAcquiredError and release returns false, never touching the new lease',
      async (context) => {
        const { subject, lock, time, durations, key } = await setup();
        const expired = await acquireOrFail(lock, key, durations.shortTtl);
        await time.pass(durations.shortTtl + durations.margin);
        const current = await acquireOrFail(lock, key, durations.longTtl);
        await expectSdrError(lock.extend(expired, durations.longTtl), LockNotAcquiredError);
        expect(await lock.release(expired)).toBe(false);
        // The new lease is intact: still held, and still its holder's to extend and release.
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).toBeNull();
        await sideDoorCheck(context, options.inspect, 'the stored holder is the new lease', async (inspect) => {
          expect((await inspect.holder(subject, key))?.owner).toBe(current.owner);
        });
        const extended = await lock.extend(current, durations.longTtl);
        expect(extended.owner).toBe(current.owner);
        expect(await lock.release(extended)).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'extend keeps key, owner and fencing token, moves expiresAt to now + ttlMs, and the lease outlives its first TTL',
      async (context) => {
        const { lock, time, durations, key } = await setup();
        const lease = await acquireOrFail(lock, key, durations.shortTtl);
        let extended: Lease;
        try {
          extended = await expectExpiresAt(time, durations, durations.longTtl, () => lock.extend(lease, durations.longTtl));
        } catch (error) {
          const tooSlow = !time.virtual && LockNotAcquiredError.isInstance(error) && time.clock.now() >= lease.expiresAt;
          if (tooSlow)
            context.skip(
              `this machine took longer than the ${durations.shortTtl} ms TTL between acquire and extend; raise timing.shortTtlMs`,
            );
          throw error;
        }
        expect(extended.key).toBe(lease.key);
        expect(extended.owner).toBe(lease.owner);
        expect(extended.fencingToken).toBe(lease.fencingToken);
        const pastFirstTtl = lease.expiresAt.getTime() - time.clock.now().getTime() + durations.margin;
        await time.pass(Math.max(0, pastFirstTtl));
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).toBeNull();
        expect(await lock.release(extended)).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'a lease with the same key but another owner (forged or stale) neither releases nor extends the holder',
      async () => {
        const { lock, durations, key } = await setup();
        const held = await acquireOrFail(lock, key, durations.longTtl);
        const forged: Lease = { ...held, owner: `not-${held.owner}` };
        expect(await lock.release(forged)).toBe(false);
        await expectSdrError(lock.extend(forged, durations.longTtl), LockNotAcquiredError);
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).toBeNull();
        expect(await lock.release(held)).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'waitMs: a waiting acquirer gets the key once the holder releases it within the wait',
      async () => {
        const { lock, time, durations, key } = await setup();
        const holder = await acquireOrFail(lock, key, durations.longTtl);
        const waiting = lock.acquire(key, { ttlMs: durations.longTtl, waitMs: durations.longWait });
        await time.pass(10);
        expect(await lock.release(holder)).toBe(true);
        const lease = await time.settle(waiting);
        expect(lease).not.toBeNull();
        expect(lease?.fencingToken).toBeGreaterThan(holder.fencingToken);
      },
      options.timeoutMs,
    );

    it(
      "waitMs: a waiting acquirer gets the key once the holder's lease expires within the wait",
      async () => {
        const { lock, time, durations, key } = await setup();
        const holder = await acquireOrFail(lock, key, durations.shortTtl);
        const lease = await time.settle(lock.acquire(key, { ttlMs: durations.longTtl, waitMs: durations.longWait }));
        expect(lease).not.toBeNull();
        expect(lease?.fencingToken).toBeGreaterThan(holder.fencingToken);
      },
      options.timeoutMs,
    );

    it(
      'waitMs: keeps trying for the whole waitMs, then answers null while the key stays held',
      async () => {
        const { lock, time, durations, key } = await setup();
        await acquireOrFail(lock, key, durations.longTtl);
        const waitMs = time.virtual ? 5_000 : 100;
        // A real timer may fire a millisecond early; a virtual one is exact.
        const timerSlack = time.virtual ? 0 : 2;
        const start = time.clock.now().getTime();
        expect(await time.settle(lock.acquire(key, { ttlMs: durations.longTtl, waitMs }))).toBeNull();
        expect(time.clock.now().getTime() - start).toBeGreaterThanOrEqual(waitMs - timerSlack);
      },
      options.timeoutMs,
    );

    it(
      'withLock runs fn with the lease, returns its result and releases the key',
      async () => {
        const { lock, durations, key } = await setup();
        const result = await withLock(lock, key, { ttlMs: durations.longTtl }, async (lease) => {
          expect(lease.key).toBe(key);
          expect(await lock.acquire(key, { ttlMs: durations.longTtl })).toBeNull();
          return 'done';
        });
        expect(result).toBe('done');
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).not.toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'withLock releases the key when fn throws, and rethrows that very error',
      async () => {
        const { lock, durations, key } = await setup();
        const failure = new Error('work failed');
        await expect(withLock(lock, key, { ttlMs: durations.longTtl }, () => Promise.reject(failure))).rejects.toBe(failure);
        expect(await lock.acquire(key, { ttlMs: durations.longTtl })).not.toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'withLock throws LockNotAcquiredError without running fn while the key stays held',
      async () => {
        const { lock, durations, key } = await setup();
        await acquireOrFail(lock, key, durations.longTtl);
        let ran = false;
        await expectSdrError(
          withLock(lock, key, { ttlMs: durations.longTtl }, () => {
            ran = true;
            return Promise.resolve();
          }),
          LockNotAcquiredError,
        );
        expect(ran).toBe(false);
      },
      options.timeoutMs,
    );
  });
}
