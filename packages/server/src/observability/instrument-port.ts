/**
 * `instrumentPort`: wraps a messaging, CRM or calendar port so that every call is timed into
 * `sdr_provider_request_duration_seconds{provider,operation,outcome}` and every failure counted
 * into `sdr_provider_errors_total{provider,operation,code}` (`code`: the classified error code).
 *
 * The wrapper is a `Proxy`: it has the port's type and every property of the port
 * (`contractVersion`, `provider`, `capabilities`, `channel`), methods run on the original object,
 * and results and errors reach the caller untouched — instrumentation never changes behaviour.
 * Only calls that return a promise are timed (every port method is async). Arguments pass
 * through untouched, the trailing `CallOptions` included; a call its caller aborted
 * (`AbortedError`) is timed with outcome `aborted` and is not a provider error.
 *
 * Durations are elapsed wall time of real I/O, measured with `performance.now()` (monotonic),
 * not the domain `Clock`: a virtual clock would report every call as instantaneous.
 */
import { AbortedError, classifyError } from '@sdr/core';
import type { Metrics } from './metrics.js';

/** Which port is wrapped. */
export type InstrumentedPortKind = 'messaging' | 'crm' | 'calendar';

/** Options of `instrumentPort`. */
export interface InstrumentPortOptions {
  readonly kind: InstrumentedPortKind;
  readonly metrics: Pick<Metrics, 'recordProviderRequest'>;
  /** Monotonic milliseconds (default `performance.now`); tests pass their own. */
  readonly now?: () => number;
}

type AnyMethod = (...args: unknown[]) => unknown;

/** Returns `port` with every async method timed; see the module comment. */
export function instrumentPort<Port extends object>(port: Port, options: InstrumentPortOptions): Port {
  const { kind, metrics } = options;
  const now = options.now ?? (() => performance.now());
  const providerValue = (port as { readonly provider?: unknown }).provider;
  const provider = typeof providerValue === 'string' && providerValue !== '' ? providerValue : 'unknown';
  const wrappers = new Map<string, { readonly original: AnyMethod; readonly wrapped: AnyMethod }>();

  const wrap = (operation: string, original: AnyMethod): AnyMethod =>
    function instrumented(...args: unknown[]): unknown {
      const startedAt = now();
      const record = (outcome: 'success' | 'error' | 'aborted', error?: unknown) => {
        metrics.recordProviderRequest({
          kind,
          provider,
          operation,
          outcome,
          durationSeconds: Math.max(0, now() - startedAt) / 1000,
          ...(outcome === 'error' ? { code: classifyError(error).code } : {}),
        });
      };
      const result = original.apply(port, args);
      if (!(result instanceof Promise)) return result;
      return result.then(
        (value: unknown) => {
          record('success');
          return value;
        },
        (error: unknown) => {
          record(AbortedError.isInstance(error) ? 'aborted' : 'error', error);
          throw error;
        },
      );
    };

  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const original = value as AnyMethod;
      const known = wrappers.get(property);
      if (known !== undefined && known.original === original) return known.wrapped;
      const wrapped = wrap(property, original);
      wrappers.set(property, { original, wrapped });
      return wrapped;
    },
  });
}
