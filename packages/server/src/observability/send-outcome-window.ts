/**
 * A sliding window of send attempts (`scheduled.sent` and `scheduled.failed` events) for the
 * send error rate alert. It holds what THIS process saw: with several dispatcher processes each
 * evaluates the rate of its own sends — a provider failing for everyone shows in each of them.
 */
import type { Clock, DomainEvents } from '@sdr/core';

export interface SendOutcomeWindow {
  /** Sends and failures whose event is at most `windowMs` old. */
  counts(): { readonly sent: number; readonly failed: number };
  /** Stops listening. */
  close(): void;
}

/** Starts counting the events of `events` into a window of `windowMs`. */
export function createSendOutcomeWindow(options: {
  readonly events: DomainEvents;
  readonly clock: Clock;
  readonly windowMs: number;
}): SendOutcomeWindow {
  const { events, clock, windowMs } = options;
  // Times in arrival order: pruning drops from the front. Events carry the emitter's `at`, which
  // the dispatcher takes from the same clock, so arrival order is time order.
  const sent: number[] = [];
  const failed: number[] = [];
  const prune = (times: number[], from: number) => {
    let drop = 0;
    while (drop < times.length && (times[drop] ?? 0) < from) drop += 1;
    if (drop > 0) times.splice(0, drop);
  };
  // Pruned on every event too, so that a window nobody reads stays bounded.
  const onSent = (event: { readonly at: Date }) => {
    sent.push(event.at.getTime());
    prune(sent, clock.now().getTime() - windowMs);
  };
  const onFailed = (event: { readonly at: Date }) => {
    failed.push(event.at.getTime());
    prune(failed, clock.now().getTime() - windowMs);
  };
  events.on('scheduled.sent', onSent);
  events.on('scheduled.failed', onFailed);
  return {
    counts() {
      const from = clock.now().getTime() - windowMs;
      prune(sent, from);
      prune(failed, from);
      return { sent: sent.length, failed: failed.length };
    },
    close() {
      events.off('scheduled.sent', onSent);
      events.off('scheduled.failed', onFailed);
    },
  };
}
