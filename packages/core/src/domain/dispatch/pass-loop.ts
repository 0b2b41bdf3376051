/**
 * What every background worker of the core shares (the dispatcher, the CRM sync): the loop —
 * passes back to back while they find a full batch, `pollIntervalMs` apart otherwise, until the
 * signal aborts, a failed pass reported and the loop going on — and the passes in flight, which
 * a graceful stop waits for.
 */
import type { Clock } from '../../ports/clock/clock.js';

/** Runs `pass` until `signal` aborts; `pass` resolves `true` when it found a full batch (go again at once). */
export async function runPassLoop(input: {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  readonly pass: () => Promise<boolean>;
  readonly onError: (error: unknown) => void;
}): Promise<void> {
  const { signal } = input;
  while (!signal.aborted) {
    let fullBatch = false;
    try {
      fullBatch = await input.pass();
    } catch (error) {
      input.onError(error);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the pass may abort the signal; TypeScript keeps the loop condition's narrowing across the await
    if (fullBatch || signal.aborted) continue;
    try {
      await input.clock.sleep(input.pollIntervalMs, signal);
    } catch {
      return;
    }
  }
}

/** The passes a worker has in flight (loop or `runOnce`). */
export class PassesInFlight<Report> {
  private readonly passes = new Set<Promise<Report>>();

  /** Tracks `pass` until it settles, and returns it. */
  track(pass: Promise<Report>): Promise<Report> {
    this.passes.add(pass);
    const forget = () => {
      this.passes.delete(pass);
    };
    pass.then(forget, forget);
    return pass;
  }

  /** The passes still running. */
  all(): Promise<Report>[] {
    return [...this.passes];
  }
}
