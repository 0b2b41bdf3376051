/**
 * Per channel instance pacing (SPEC §4.6): at most one send per `minIntervalMs` on each
 * WhatsApp instance, each gap stretched by a random jitter, because bursts of evenly spaced
 * messages are what gets numbers banned. Instances never wait on each other.
 */
import type { Clock } from '../../ports/clock/clock.js';
import type { PacingOptions } from './dispatcher-options.js';

/** Hands out send slots per channel instance. */
export interface InstancePacer {
  /**
   * Reserves the next send slot of `instance` and returns how long to wait for it (0: send now).
   * A reservation is taken even if the caller ends up not sending: a wasted slot only slows
   * that instance down by one interval, never speeds it up.
   */
  reserve(instance: string): number;
}

/** A pacer over `clock`; with `pacing: false` every slot is immediate. */
export function createInstancePacer(options: {
  readonly clock: Clock;
  readonly pacing: PacingOptions | false;
  readonly random: () => number;
}): InstancePacer {
  const { clock, pacing, random } = options;
  if (pacing === false) return { reserve: () => 0 };
  // The last slot handed out per instance; it lives as long as the dispatcher, across passes.
  const lastSlot = new Map<string, number>();
  return {
    reserve: (instance) => {
      const now = clock.now().getTime();
      const previous = lastSlot.get(instance);
      const gap = pacing.minIntervalMs + Math.floor(random() * pacing.jitterMs);
      const slot = previous === undefined ? now : Math.max(now, previous + gap);
      lastSlot.set(instance, slot);
      return slot - now;
    },
  };
}
