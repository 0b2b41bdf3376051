/**
 * # Clock v1
 *
 * Every service reads time from a `Clock` and waits through it, never from `Date.now()` or
 * `setTimeout` directly, so that the journey simulator and the tests run days of follow-ups in
 * milliseconds on a `VirtualClock`.
 */
import { SdrError } from '../../errors/index.js';

export interface Clock {
  readonly contractVersion: 'v1';
  now(): Date;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// `setTimeout` fires after 1 ms when given more than 2^31 − 1 ms (about 24.8 days): longer
// sleeps wait in chunks.
const maxTimerDelayMs = 2_147_483_647;

/** The real clock. */
export const systemClock: Clock = Object.freeze({
  contractVersion: 'v1' as const,
  now: () => new Date(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      let remaining = Math.max(0, ms);
      let timer: ReturnType<typeof setTimeout>;
      const wait = () => {
        const chunk = Math.min(remaining, maxTimerDelayMs);
        remaining -= chunk;
        timer = setTimeout(() => {
          if (remaining > 0) {
            wait();
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, chunk);
      };
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      wait();
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
});

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fire: () => void;
}

/**
 * A clock that only moves when told. Sleepers and timers fire in time order as time advances;
 * between two firings, pending promise callbacks run, so that work a timer triggers settles
 * before the next timer fires.
 */
export class VirtualClock implements Clock {
  readonly contractVersion = 'v1' as const;
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start: Date | string | number = 0) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new SdrError('VirtualClock start is not a valid instant');
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const cancel = this.schedule(Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `callback` when the clock reaches now + `ms`. Returns a function that cancels it. */
  schedule(ms: number, callback: () => void): () => void {
    const timer: Timer = { id: this.nextId++, at: this.current + ms, fire: callback };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return () => {
      this.timers = this.timers.filter((candidate) => candidate.id !== timer.id);
    };
  }

  /** Number of timers and sleepers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The instant of the earliest waiting timer, if any. */
  nextTimerAt(): Date | undefined {
    const first = this.timers[0];
    return first ? new Date(first.at) : undefined;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new SdrError('VirtualClock cannot go backwards');
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `target`, firing every timer due on the way, in order. */
  async advanceTo(target: Date | number): Promise<void> {
    const until = typeof target === 'number' ? target : target.getTime();
    if (until < this.current) throw new SdrError('VirtualClock cannot go backwards');
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fire();
      await settle();
    }
    this.current = until;
    await settle();
  }

  /** Sets the time; only forward, like the real clock. */
  async set(target: Date | string | number): Promise<void> {
    await this.advanceTo(new Date(target).getTime());
  }
}

/** Lets queued promise callbacks (and the ones they queue) run. */
async function settle(): Promise<void> {
  for (let round = 0; round < 20; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
