import { redact } from './redact.js';
import { SdrError, type SdrErrorOptions } from './sdr-error.js';

/** One problem with one field of an input; `field` is a dotted path such as `lead.phone`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** The input is malformed or breaks a rule; `fieldErrors` names every offending field. */
export class ValidationError extends SdrError {
  static override readonly kind: string = 'ValidationError';
  readonly fieldErrors: readonly FieldError[];

  constructor(fieldErrors: readonly FieldError[], options: SdrErrorOptions & { message?: string } = {}) {
    // The summary is built from the redacted messages: personal data masked in `fieldErrors`
    // must not survive in `message`.
    const redacted = fieldErrors.map((error) => Object.freeze({ field: error.field, message: String(redact(error.message)) }));
    const summary = redacted.map((error) => (error.field ? `${error.field}: ${error.message}` : error.message)).join('; ');
    super(options.message ?? (summary || 'invalid input'), 'validation_failed', options);
    this.fieldErrors = Object.freeze(redacted);
  }

  /** Shorthand for a single offending field. */
  static forField(field: string, message: string, options?: SdrErrorOptions): ValidationError {
    return new ValidationError([{ field, message }], options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), fieldErrors: this.fieldErrors };
  }
}

/** The entity does not exist (or belongs to another tenant, which callers cannot tell apart). */
export class NotFoundError extends SdrError {
  static override readonly kind: string = 'NotFoundError';
  readonly resource: string;
  readonly id: string;

  constructor(resource: string, id: string, options: SdrErrorOptions = {}) {
    super(`${resource} ${String(redact(id))} was not found`, 'not_found', options);
    this.resource = resource;
    this.id = String(redact(id));
  }
}

/** The operation contradicts the current state (a status transition that is not allowed, …). */
export class ConflictError extends SdrError {
  static override readonly kind: string = 'ConflictError';

  constructor(
    message: string,
    options: SdrErrorOptions & { code?: 'conflict' | 'slot_unavailable' | 'duplicate' | 'version_conflict'; retryable?: boolean } = {},
  ) {
    super(message, options.code ?? 'conflict', options);
  }
}

/** A bookable slot offered as an alternative. Instants are UTC; the label is in the tenant zone. */
export interface AlternativeSlot {
  readonly start: Date;
  readonly end: Date;
  readonly localLabel?: string;
}

/** The requested time is taken; `alternatives` holds up to three free slots nearest to it. */
export class SlotUnavailableError extends ConflictError {
  static override readonly kind: string = 'SlotUnavailableError';
  readonly alternatives: readonly AlternativeSlot[];

  constructor(message: string, options: SdrErrorOptions & { alternatives?: readonly AlternativeSlot[] } = {}) {
    super(message, { ...options, code: 'slot_unavailable' });
    this.alternatives = Object.freeze([...(options.alternatives ?? [])].slice(0, 3));
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      alternatives: this.alternatives.map((slot) => ({
        start: slot.start.toISOString(),
        end: slot.end.toISOString(),
        ...(slot.localLabel === undefined ? {} : { localLabel: slot.localLabel }),
      })),
    };
  }
}

/** An entity with the same unique key already exists. */
export class DuplicateError extends ConflictError {
  static override readonly kind: string = 'DuplicateError';
  readonly resource: string;
  readonly key: string;

  constructor(resource: string, key: string, options: SdrErrorOptions = {}) {
    super(`${resource} ${String(redact(key))} already exists`, { ...options, code: 'duplicate' });
    this.resource = resource;
    this.key = String(redact(key));
  }
}

/** Optimistic locking failed: somebody changed the entity since it was read. Retry after re-reading. */
export class VersionConflictError extends ConflictError {
  static override readonly kind: string = 'VersionConflictError';
  readonly resource: string;
  readonly id: string;
  readonly expectedVersion: number;

  constructor(resource: string, id: string, expectedVersion: number, options: SdrErrorOptions = {}) {
    super(`${resource} ${id} was changed concurrently (expected version ${expectedVersion})`, {
      ...options,
      code: 'version_conflict',
      retryable: true,
    });
    this.resource = resource;
    this.id = id;
    this.expectedVersion = expectedVersion;
  }
}

/** Too many requests; retry after `retryAfterMs` when known. */
export class RateLimitedError extends SdrError {
  static override readonly kind: string = 'RateLimitedError';
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;

  constructor(message: string, options: SdrErrorOptions & { retryAfterMs?: number | undefined; provider?: string } = {}) {
    super(message, 'rate_limited', { ...options, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs, provider: this.provider };
  }
}

export interface ProviderErrorInit extends SdrErrorOptions {
  readonly provider: string;
  readonly operation: string;
  readonly message: string;
  readonly status?: number | undefined;
  /** Defaults to the HTTP classification of `status` (5xx, 408, 429 ⇒ retryable). */
  readonly retryable?: boolean;
  /** The provider's response body; redacted before it is stored. */
  readonly body?: unknown;
  readonly requestId?: string | undefined;
}

/** A provider (CRM, calendar, channel) answered with an error. */
export class ProviderError extends SdrError {
  static override readonly kind: string = 'ProviderError';
  readonly provider: string;
  readonly operation: string;
  readonly status: number | undefined;
  readonly body: unknown;
  readonly requestId: string | undefined;

  constructor(init: ProviderErrorInit) {
    super(`${init.provider} ${init.operation} failed: ${String(redact(init.message))}`, 'provider_error', {
      ...init,
      retryable: init.retryable ?? isRetryableStatus(init.status),
    });
    this.provider = init.provider;
    this.operation = init.operation;
    this.status = init.status;
    this.body = redact(init.body);
    this.requestId = init.requestId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), provider: this.provider, operation: this.operation, status: this.status, requestId: this.requestId };
  }
}

/** The provider could not be reached, or did not answer in time. Always retryable. */
export class ProviderUnavailableError extends SdrError {
  static override readonly kind: string = 'ProviderUnavailableError';
  readonly provider: string;
  readonly operation: string;

  constructor(init: SdrErrorOptions & { provider: string; operation: string; message?: string }) {
    super(
      `${init.provider} ${init.operation} unavailable${init.message ? `: ${String(redact(init.message))}` : ''}`,
      'provider_unavailable',
      {
        ...init,
        retryable: true,
      },
    );
    this.provider = init.provider;
    this.operation = init.operation;
  }
}

/**
 * The channel cannot deliver to this recipient at all — a number that is not on WhatsApp. Never
 * retryable: the dispatcher marks the lead unreachable instead of trying again. The message names
 * the channel and provider only; the recipient's number is never part of the error.
 */
export class RecipientUnreachableError extends SdrError {
  static override readonly kind: string = 'RecipientUnreachableError';
  readonly channel: string;
  readonly provider: string;

  constructor(init: SdrErrorOptions & { readonly channel: string; readonly provider: string; readonly message?: string }) {
    super(init.message ?? `the recipient cannot be reached on ${init.channel} (${init.provider})`, 'recipient_unreachable', {
      ...init,
      retryable: false,
    });
    this.channel = init.channel;
    this.provider = init.provider;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), channel: this.channel, provider: this.provider };
  }
}

/** Credentials are missing, invalid or expired (and could not be refreshed). */
export class AuthError extends SdrError {
  static override readonly kind: string = 'AuthError';
  readonly provider: string | undefined;

  constructor(message: string, options: SdrErrorOptions & { provider?: string } = {}) {
    super(message, 'auth_failed', options);
    this.provider = options.provider;
  }
}

/** A lock could not be acquired in time, or a lease was lost. Retryable. */
export class LockNotAcquiredError extends SdrError {
  static override readonly kind: string = 'LockNotAcquiredError';
  readonly key: string;

  constructor(key: string, options: SdrErrorOptions & { message?: string } = {}) {
    super(options.message ?? `lock ${key} is held by someone else`, 'lock_not_acquired', { ...options, retryable: true });
    this.key = key;
  }
}

/**
 * A call was given up because the caller's `AbortSignal` aborted (a worker stopping, a shutdown,
 * a lease deadline). It says nothing about the provider — which may or may not have received the
 * request — so it is retryable and never counts as the provider's failure. The signal's reason is
 * the `cause`.
 */
export class AbortedError extends SdrError {
  static override readonly kind: string = 'AbortedError';
  readonly provider: string | undefined;
  readonly operation: string | undefined;

  constructor(options: SdrErrorOptions & { provider?: string; operation?: string; message?: string } = {}) {
    const what = [options.provider, options.operation].filter((part) => part !== undefined).join(' ');
    super(options.message ?? (what === '' ? 'the call was aborted' : `${what} was aborted`), 'aborted', { ...options, retryable: true });
    this.provider = options.provider;
    this.operation = options.operation;
  }
}

/** HTTP statuses worth retrying: 408, 425, 429 and every 5xx. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
