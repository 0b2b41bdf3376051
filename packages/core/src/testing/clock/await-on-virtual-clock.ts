/**
 * `awaitOnVirtualClock`: awaits work that waits on a `VirtualClock` (a worker pacing its requests
 * with a rate limiter, a retry sleeping its backoff) by advancing the clock timer by timer until
 * the work settles — the way a test or a benchmark drives a pass without knowing how long it waits.
 */
import { SdrError } from '../../errors/index.js';
import type { VirtualClock } from '../../ports/clock/clock.js';

/**
 * Resolves (or rejects) as `promise` does, advancing `clock` to its next timer whenever the
 * promise is still pending. With no timer waiting, the promise waits on real I/O (a database):
 * a real millisecond is let pass. More than `maxMs` (default one day) of virtual time is an error.
 */
export async function awaitOnVirtualClock<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  options: { readonly maxMs?: number } = {},
): Promise<T> {
  // Set by `done`: widened so that TypeScript does not keep it narrowed to `false`.
  let settled = false as boolean;
  const done = () => {
    settled = true;
  };
  promise.then(done, done);
  const deadline = clock.now().getTime() + (options.maxMs ?? 24 * 3_600_000);
  await clock.advance(0);
  while (!settled) {
    const next = clock.nextTimerAt();
    if (next === undefined) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    else if (next.getTime() > deadline)
      throw new SdrError('still pending after the virtual time allowed: the work waits on something the clock does not drive');
    else await clock.advanceTo(next);
  }
  return promise;
}
