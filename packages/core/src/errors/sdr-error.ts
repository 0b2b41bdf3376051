/**
 * The root of every error `@sdr` throws on purpose.
 *
 * Errors are recognised with the static `isInstance` of each class, never with bare
 * `instanceof`: an application can end up with two copies of `@sdr/core` (an adapter bundling
 * its own, a monorepo with two versions), and `instanceof` fails across copies. Every instance
 * carries a `Symbol.for` marker listing the names of its class chain, which both copies agree on.
 *
 * Errors never carry secrets or unmasked personal data: whatever enters `details` or a provider
 * body is redacted by the constructors (see `redact`).
 */
import { maskPersonalData, redact } from './redact.js';

const marker = Symbol.for('@sdr/core.error');

/** Stable, machine-readable error codes. The server maps them to HTTP statuses. */
export type SdrErrorCode =
  | 'internal'
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'slot_unavailable'
  | 'duplicate'
  | 'version_conflict'
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'auth_failed'
  | 'lock_not_acquired'
  | 'aborted'
  | 'recipient_unreachable';

export interface SdrErrorOptions {
  /** The underlying error, kept for logs. It is not serialised by `toJSON`. */
  readonly cause?: unknown;
  /** Extra, already non-sensitive context. It is redacted once more to be safe. */
  readonly details?: Record<string, unknown>;
}

/** Any class of the hierarchy (used by `isInstance`). */
export type SdrErrorClass = abstract new (...args: never[]) => SdrError;

/** Base class of the hierarchy; subclasses set `kind` and a `code`. */
export class SdrError extends Error {
  /** Name of the class, shared by every copy of the package: the key of `isInstance`. */
  static readonly kind: string = 'SdrError';

  readonly code: SdrErrorCode;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  declare readonly [marker]: readonly string[];

  constructor(message: string, code: SdrErrorCode = 'internal', options: SdrErrorOptions & { retryable?: boolean } = {}) {
    // Messages are masked here, once, so that no subclass can leak a phone or an e-mail address.
    super(maskPersonalData(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze(redact(options.details ?? {}) as Record<string, unknown>);
    const kinds: string[] = [];
    for (let ctor = new.target as unknown; ctor && ctor !== Function.prototype; ctor = Object.getPrototypeOf(ctor)) {
      const kind = (ctor as { kind?: unknown }).kind;
      if (typeof kind === 'string' && !kinds.includes(kind)) kinds.push(kind);
    }
    Object.defineProperty(this, marker, { value: Object.freeze(kinds), enumerable: false });
    this.name = kinds[0] ?? 'SdrError';
  }

  /**
   * True when `error` is an instance of this class (or a subclass), from any copy of the package.
   */
  static isInstance<T extends SdrErrorClass>(this: T & { kind: string }, error: unknown): error is InstanceType<T> {
    if (typeof error !== 'object' || error === null) return false;
    const kinds = (error as { [marker]?: unknown })[marker];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }

  /** A serialisable view safe to log or return to an API client. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Reads the class-chain marker of an error from any copy of the package. */
export function sdrErrorKinds(error: unknown): readonly string[] {
  if (typeof error !== 'object' || error === null) return [];
  const kinds = (error as { [marker]?: unknown })[marker];
  return Array.isArray(kinds) ? (kinds as string[]) : [];
}
