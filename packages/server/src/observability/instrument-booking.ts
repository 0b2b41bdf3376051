/**
 * `instrumentBookingService`: counts booking conflicts (`sdr_booking_conflicts_total`).
 *
 * The booking service emits no event when it refuses a slot: it throws `SlotUnavailableError`
 * from `book` and `reschedule` (also when the store's exclusion constraint caught a race the
 * lock missed). Wrapping the service is the one place that sees every refusal — the REST API's
 * 409s and the conversation agent's bookings alike — without counting unrelated 409s.
 * The wrapper is a `Proxy`: same type, same behaviour, errors re-thrown untouched.
 */
import { SlotUnavailableError, type BookingService } from '@sdr/core';
import type { Metrics } from './metrics.js';

const countedOperations: ReadonlySet<string> = new Set(['book', 'reschedule']);

type AnyMethod = (...args: unknown[]) => unknown;

/** Returns `service` with its slot refusals counted. */
export function instrumentBookingService(
  service: BookingService,
  options: { readonly metrics: Pick<Metrics, 'recordBookingConflict'> },
): BookingService {
  const { metrics } = options;
  return new Proxy(service, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const original = value as AnyMethod;
      if (typeof property !== 'string' || !countedOperations.has(property)) return original.bind(target);
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          return await original.apply(target, args);
        } catch (error) {
          if (SlotUnavailableError.isInstance(error)) metrics.recordBookingConflict();
          throw error;
        }
      };
    },
  });
}
