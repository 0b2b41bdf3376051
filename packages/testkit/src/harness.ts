/**
 * What every suite shares: how a test obtains its own subject, and how it lets time pass on a
 * virtual clock (instantly) or on the real one (tiny real waits).
 */
import { AbortedError, SdrError, systemClock, type CallOptions, type Clock } from '@sdr/core';
import { expect, onTestFinished, type TestContext } from 'vitest';

/** Options every conformance suite accepts. */
export interface ConformanceOptions<Subject> {
  /** Names the implementation in the suite title (`CrmPort conformance: kommo`). */
  readonly name: string;
  /**
   * Returns a fresh (or freshly reset) implementation plus whatever the suite needs, for one
   * test. Called once per test: tests never share a subject.
   */
  readonly create: () => Subject | Promise<Subject>;
  /**
   * Empties shared backing state (truncate tables, `FLUSHDB`) before each test's `create`. Only
   * needed when `create` returns implementations over a backend that outlives them.
   */
  readonly reset?: () => void | Promise<void>;
  /** Per-test timeout in milliseconds (default: vitest's). */
  readonly timeoutMs?: number;
}

/** Fields every subject may carry. */
export interface SubjectBase {
  /**
   * The clock the implementation reads. A clock with an `advance(ms)` method (such as core's
   * `VirtualClock`) is driven by the suite; any other clock is treated as real time.
   * Defaults to the system clock.
   */
  readonly clock?: Clock;
  /** Called when the test that created the subject finishes (close pools, stop timers). */
  readonly cleanup?: () => void | Promise<void>;
}

/** A clock the suites can move forward themselves, such as core's `VirtualClock`. */
export interface AdvanceableClock extends Clock {
  /** Moves time forward by `ms`, firing the timers due on the way. */
  advance(ms: number): Promise<void>;
  /** The instant of the earliest waiting timer, when the clock knows it. */
  nextTimerAt?(): Date | undefined;
}

/** Time as a suite experiences it: instant on a virtual clock, real (and kept tiny) otherwise. */
export interface TimeControl {
  /** The subject's clock. */
  readonly clock: Clock;
  /** True when `pass` moves time without waiting. */
  readonly virtual: boolean;
  /** Lets `ms` pass: advances a virtual clock (firing its timers) or sleeps on the real one. */
  pass(ms: number): Promise<void>;
  /**
   * Awaits `promise`. On a virtual clock, advances time timer by timer while the promise waits
   * on the clock (an implementation polling with `clock.sleep`), up to `maxMs` of virtual time.
   */
  settle<T>(promise: Promise<T>, options?: { readonly maxMs?: number }): Promise<T>;
}

/** True when `clock` can be advanced by the suites (core's `VirtualClock`, or any look-alike). */
export function isAdvanceableClock(clock: Clock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advance === 'function';
}

/** Builds the time control of a subject's clock (the system clock when none is given). */
export function createTimeControl(clock: Clock = systemClock): TimeControl {
  if (!isAdvanceableClock(clock)) {
    return {
      clock,
      virtual: false,
      pass: (ms) => clock.sleep(ms),
      settle: (promise) => promise,
    };
  }
  return {
    clock,
    virtual: true,
    pass: (ms) => clock.advance(ms),
    settle: (promise, options) => settleOnVirtualClock(clock, promise, options?.maxMs ?? 24 * 3_600_000),
  };
}

async function settleOnVirtualClock<T>(clock: AdvanceableClock, promise: Promise<T>, maxMs: number): Promise<T> {
  // Set by the callbacks below: widened so that TypeScript does not keep it narrowed to `false`.
  let settled = false as boolean;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const start = clock.now().getTime();
  for (;;) {
    await yieldToEventLoop();
    if (settled) break;
    const next = clock.nextTimerAt?.();
    if (clock.nextTimerAt && next === undefined) {
      // Nothing waits on the clock yet: the promise waits on real I/O. Give it a real moment.
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const now = clock.now().getTime();
    if (now - start > maxMs) {
      throw new SdrError(`still pending after ${maxMs} ms of virtual time: the implementation waits on something the clock does not drive`);
    }
    await clock.advance(next ? Math.max(1, next.getTime() - now) : 10);
  }
  return promise;
}

/** Lets queued promise callbacks and immediate callbacks run (no timers, no clock). */
export async function yieldToEventLoop(rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Creates the subject of one test: runs `reset`, then `create`, and registers the subject's
 * `cleanup` for when the test finishes.
 */
export async function arrange<Subject extends SubjectBase>(options: ConformanceOptions<Subject>): Promise<Subject> {
  await options.reset?.();
  const subject = await options.create();
  if (subject.cleanup) {
    const cleanup = subject.cleanup;
    onTestFinished(async () => {
      await cleanup();
    });
  }
  return subject;
}

/** An `@sdr/core` error class (`DuplicateError`, `LockNotAcquiredError`, …) as `expectSdrError` takes it. */
export type SdrErrorClass<E extends SdrError = SdrError> = (abstract new (...args: never[]) => E) & {
  /** The class name every copy of `@sdr/core` agrees on. */
  readonly kind: string;
  /** Recognises instances from any copy of `@sdr/core`. */
  isInstance(error: unknown): boolean;
};

/**
 * Awaits `promise` and asserts it rejects with an error of `errorClass`, recognised with
 * `isInstance` (safe across copies of `@sdr/core`). Returns the error for further checks. Counts
 * as one assertion of the test.
 */
export async function expectSdrError<E extends SdrError>(promise: Promise<unknown>, errorClass: SdrErrorClass<E>): Promise<E> {
  let outcome: { readonly rejected: true; readonly error: unknown } | { readonly rejected: false; readonly value: unknown };
  try {
    outcome = { rejected: false, value: await promise };
  } catch (error) {
    outcome = { rejected: true, error };
  }
  if (!outcome.rejected) {
    return expect.fail(`expected a ${errorClass.kind}, but the call resolved with ${describeValue(outcome.value)}`);
  }
  const { error } = outcome;
  // An assertion rather than a bare check, so that a test whose one claim is this rejection
  // counts as asserting something (vitest's `expect.requireAssertions`).
  expect(errorClass.isInstance(error), `expected a ${errorClass.kind}, but it threw ${describeError(error)}`).toBe(true);
  return error as E;
}

/** Call options whose signal has already aborted: the call must reject with an `AbortedError` and do nothing. */
export function abortedCall(): CallOptions {
  const controller = new AbortController();
  controller.abort(new Error('aborted by the conformance suite'));
  return { signal: controller.signal };
}

/** Asserts `promise` rejects with an `AbortedError` (recognised across copies of `@sdr/core`). */
export function expectAborted(promise: Promise<unknown>): Promise<AbortedError> {
  return expectSdrError(promise, AbortedError);
}

/** Runs every task at once and splits the outcomes into values and errors. */
export async function settleAll<T>(tasks: readonly (() => Promise<T>)[]): Promise<{ readonly values: T[]; readonly errors: unknown[] }> {
  const outcomes = await Promise.allSettled(tasks.map((task) => task()));
  const values: T[] = [];
  const errors: unknown[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') values.push(outcome.value);
    else errors.push(outcome.reason);
  }
  return { values, errors };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return describeValue(error);
}

function describeValue(value: unknown): string {
  try {
    // `JSON.stringify` is typed `string`, but gives `undefined` for `undefined`, a function or a symbol.
    const text = JSON.stringify(value) as string | undefined;
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Runs a check through the `inspect` side door when the suite was given one; otherwise leaves an
 * annotation on the test saying which check was skipped and why (shown by vitest's reporters).
 */
export async function sideDoorCheck<Inspector>(
  context: TestContext,
  inspect: Inspector | undefined,
  check: string,
  run: (inspect: Inspector) => Promise<void>,
): Promise<void> {
  if (inspect === undefined) {
    await context.annotate(`side-door check skipped (${check}): the suite was given no inspect side door for it`, 'skipped check');
    return;
  }
  await run(inspect);
}

/** A suite-level reason a test does not apply, shown next to the skipped test. */
export function skipReason(what: string, why: string): string {
  return `${what} not applicable: ${why}`;
}
