/**
 * `injectFaults`: wraps any port in a Proxy whose async methods can be made to fail, to be
 * slow, or to succeed without the caller hearing back — the failure modes real providers have
 * and that retry, idempotency and compensation logic must survive.
 *
 * Properties that are not functions (`contractVersion`, `capabilities`, getters such as
 * `requests`) pass through untouched, as do synchronous methods (the doubles' inspection
 * methods): only calls that return a promise, or that have a fault armed, are logged.
 * Methods run with the original object as `this`, so classes with private fields work.
 *
 * A delayed call honours the `CallOptions` of port methods (an object with an `AbortSignal` under
 * `signal`, as the last argument): an abort during the delay rejects it with an `AbortedError`,
 * and the call never reaches the port.
 */
import { ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import { sleepUnlessAborted, type CallOptions } from '../../ports/call-options.js';
import { systemClock, type Clock } from '../../ports/clock/clock.js';

/** The names of the methods of `T`. */
export type MethodName<T> = { [Key in keyof T]-?: T[Key] extends (...args: never[]) => unknown ? Key : never }[keyof T] & string;

/** An error, or a factory that makes a fresh one per failure. */
export type FaultError = Error | (() => Error);

/** How a logged call ended (`pending` while it runs). */
export type FaultCallOutcome = 'pending' | 'resolved' | 'rejected' | 'injected-failure' | 'timed-out';

/** One call through the wrapped port. */
export interface FaultCall {
  readonly method: string;
  readonly args: readonly unknown[];
  /** When the call was made, on the controller's clock. */
  readonly at: Date;
  readonly outcome: FaultCallOutcome;
}

/** Arms faults on the wrapped port and reads its call log. */
export interface FaultController<T> {
  /** The next `count` calls of `method` reject with `error` without reaching the port. */
  failNext(method: MethodName<T>, count: number, error: FaultError): void;
  /** Every call of `method` waits `ms` on the clock before reaching the port (until `clear`). */
  delay(method: MethodName<T>, ms: number | (() => number)): void;
  /**
   * The next `count` calls of `method` reach the port — its effect happens — and then reject
   * with `error` (default: a retryable `ProviderUnavailableError` "timeout"), as when a
   * response is lost. A call the port itself rejects rejects with the port's error.
   */
  succeedButTimeout(method: MethodName<T>, count: number, error?: FaultError): void;
  /** Disarms every fault; the call log is kept. */
  clear(): void;
  /** The calls made so far, of one method or of all, in order. */
  calls(method?: MethodName<T>): FaultCall[];
  clearCalls(): void;
}

interface OneShotFault {
  readonly kind: 'fail' | 'timeout';
  remaining: number;
  readonly error: FaultError | undefined;
}

interface LoggedCall {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly at: Date;
  outcome: FaultCallOutcome;
}

type PortMethod = (...args: unknown[]) => unknown;

/** Wraps `target`; `port` behaves as `target` until `faults` arms something. */
export function injectFaults<T extends object>(
  target: T,
  options: { readonly clock?: Clock } = {},
): { port: T; faults: FaultController<T> } {
  const clock = options.clock ?? systemClock;
  const oneShots = new Map<string, OneShotFault[]>();
  const delays = new Map<string, number | (() => number)>();
  const log: LoggedCall[] = [];
  const wrappers = new Map<string, { readonly original: PortMethod; readonly wrapper: PortMethod }>();
  const provider = (target as { provider?: unknown }).provider;
  const providerName = typeof provider === 'string' ? provider : 'fault-injection';

  const takeOneShot = (method: string): OneShotFault | undefined => {
    const queue = oneShots.get(method);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head;
  };

  const record = (method: string, args: readonly unknown[]): LoggedCall => {
    const call: LoggedCall = { method, args, at: clock.now(), outcome: 'pending' };
    log.push(call);
    return call;
  };

  const invoke = (method: string, original: PortMethod, args: unknown[]): unknown => {
    const fault = takeOneShot(method);
    const delay = delays.get(method);
    if (fault === undefined && delay === undefined) {
      const result = Reflect.apply(original, target, args);
      if (isPromiseLike(result)) {
        const call = record(method, args);
        // Observes the outcome only; the caller still receives (and must handle) the original promise.
        void result.then(
          () => {
            call.outcome = 'resolved';
          },
          () => {
            call.outcome = 'rejected';
          },
        );
      }
      return result;
    }
    const call = record(method, args);
    const faulty = async (): Promise<unknown> => {
      if (delay !== undefined) {
        const ms = typeof delay === 'function' ? delay() : delay;
        try {
          await sleepUnlessAborted(clock, ms, callOptionsOf(args), { provider: providerName, operation: method });
        } catch (error) {
          call.outcome = 'rejected';
          throw error;
        }
      }
      if (fault?.kind === 'fail') {
        call.outcome = 'injected-failure';
        throw errorOf(fault.error, method);
      }
      let result: unknown;
      try {
        result = await Reflect.apply(original, target, args);
      } catch (error) {
        call.outcome = 'rejected';
        throw error;
      }
      if (fault?.kind === 'timeout') {
        call.outcome = 'timed-out';
        throw errorOf(fault.error, method);
      }
      call.outcome = 'resolved';
      return result;
    };
    return faulty();
  };

  const errorOf = (error: FaultError | undefined, method: string): Error => {
    if (error === undefined) return new ProviderUnavailableError({ provider: providerName, operation: method, message: 'timeout' });
    return typeof error === 'function' ? error() : error;
  };

  const arm = (kind: OneShotFault['kind'], method: string, count: number, error: FaultError | undefined) => {
    if (!Number.isInteger(count) || count < 1) throw ValidationError.forField('count', 'must be a whole number, 1 or more');
    const queue = oneShots.get(method) ?? [];
    queue.push({ kind, remaining: count, error });
    oneShots.set(method, queue);
  };

  const port = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const original = value as PortMethod;
      const cached = wrappers.get(property);
      if (cached !== undefined && cached.original === original) return cached.wrapper;
      const wrapper: PortMethod = (...args) => invoke(property, original, args);
      wrappers.set(property, { original, wrapper });
      return wrapper;
    },
  });

  const faults: FaultController<T> = {
    failNext: (method, count, error) => arm('fail', method, count, error),
    succeedButTimeout: (method, count, error) => arm('timeout', method, count, error),
    delay: (method, ms) => {
      if (typeof ms === 'number' && !(Number.isFinite(ms) && ms >= 0))
        throw ValidationError.forField('ms', 'must be 0 or more milliseconds');
      delays.set(method, ms);
    },
    clear: () => {
      oneShots.clear();
      delays.clear();
    },
    calls: (method) =>
      log
        .filter((call) => method === undefined || call.method === method)
        .map((call) => ({ ...call, args: [...call.args], at: new Date(call.at.getTime()) })),
    clearCalls: () => {
      log.length = 0;
    },
  };

  return { port, faults };
}

/** The `CallOptions` a port method received: its last argument, when that carries an `AbortSignal`. */
function callOptionsOf(args: readonly unknown[]): CallOptions | undefined {
  const last = args[args.length - 1];
  if (typeof last !== 'object' || last === null) return undefined;
  const signal = (last as { signal?: unknown }).signal;
  return signal instanceof AbortSignal ? { signal } : undefined;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
