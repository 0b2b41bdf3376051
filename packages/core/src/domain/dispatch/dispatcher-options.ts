/**
 * The dispatcher's options, their defaults, and the checks that refuse a dispatcher that could
 * not work (two handlers for one kind, a lease of zero, …) at creation rather than mid-batch.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { MessagingPort } from '../../ports/messaging/messaging-port.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import { parseOrThrow } from '../model/parse.js';
import { scheduledKindSchema, type ScheduledKind } from '../model/scheduled-message.js';
import { defaultRetryPolicy, type RetryPolicy } from '../retry/retry-policy.js';
import type { DispatchHandler } from './dispatch-handler.js';

/** Per channel instance: at most one send per `minIntervalMs`, plus a uniform random `[0, jitterMs)`. */
export interface PacingOptions {
  readonly minIntervalMs: number;
  readonly jitterMs: number;
}

/** How the dispatcher watches channel instances before sending through them. */
export interface ChannelHealthOptions {
  /** How long a health answer is trusted before the instance is asked again. */
  readonly cacheMs: number;
  /** A message for an instance that is down goes back to `pending` this much later. */
  readonly retryAfterMs: number;
  /** An instance down for this long raises a critical `channel_down` alert. */
  readonly alertAfterMs: number;
}

/** Options of `createDispatcher`. */
export interface DispatcherOptions {
  /** `scheduledMessages`, `tenants`, `alerts` and whatever the handlers read. */
  readonly store: Store;
  /** The channel sends go through: one port, or the tenant's own by tenant id. */
  readonly messaging: MessagingPort | ((tenantId: string) => MessagingPort);
  readonly clock: Clock;
  /** Each kind is served by exactly one handler; the dispatcher claims only these kinds. */
  readonly handlers: readonly DispatchHandler[];
  /** Identifies this dispatcher's claims (`lockedBy`). Default: `dispatcher-<uuid>`. */
  readonly workerId?: string;
  /** The most rows one pass claims (default 100); with pacing, `claimHorizonMs` usually claims fewer. */
  readonly batchSize?: number;
  /**
   * With pacing on, a pass claims only what one instance's pacing lets it send within this
   * horizon (`claimHorizonMs / minIntervalMs` rows, at least 1, at most `batchSize`; default
   * 10 s): rows claimed but not yet sent wait for their lease if the process dies, so a short
   * horizon keeps what a crash strands small and lets other dispatchers share the backlog.
   */
  readonly claimHorizonMs?: number;
  /** How long a claim holds a row before stuck recovery may take it back (default 15 min). */
  readonly leaseMs?: number;
  /** Idle wait of the loop after a pass that claimed less than a full batch (default 1 s). */
  readonly pollIntervalMs?: number;
  /** How often stuck recovery runs (default 5 min; also on the first pass after `start()`). */
  readonly stuckRecoveryIntervalMs?: number;
  /** Backoff and maximum attempts (default `defaultRetryPolicy`: 5 attempts). */
  readonly retryPolicy?: RetryPolicy;
  /** Per channel instance (default `{ minIntervalMs: 1000, jitterMs: 250 }`); `false` disables pacing. */
  readonly pacing?: PacingOptions | false;
  /** Defaults: `{ cacheMs: 30 s, retryAfterMs: 60 s, alertAfterMs: 30 min }`. */
  readonly channelHealth?: ChannelHealthOptions;
  /** Receives `scheduled.sent|skipped|failed` and `alert.raised|resolved`. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** Source of jitter in `[0, 1)` for backoff and pacing (tests inject a fixed one). */
  readonly random?: () => number;
}

/** The options with every default filled in, as the dispatcher's parts use them. */
export interface DispatcherSettings {
  readonly workerId: string;
  readonly batchSize: number;
  readonly claimHorizonMs: number;
  /** Rows one pass claims: `batchSize`, capped by what pacing sends within `claimHorizonMs`. */
  readonly claimLimit: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly stuckRecoveryIntervalMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly pacing: PacingOptions | false;
  readonly channelHealth: ChannelHealthOptions;
  /** The handler of each handled kind. */
  readonly handlers: ReadonlyMap<ScheduledKind, DispatchHandler>;
}

const minute = 60_000;
const milliseconds = z.number().int({ message: 'must be a whole number of milliseconds' });

const settingsSchema = z.strictObject({
  workerId: z.string().trim().min(1).max(200),
  batchSize: z.number().int().min(1).max(10_000),
  claimHorizonMs: milliseconds.positive(),
  leaseMs: milliseconds.min(1000, { message: 'must be at least 1000 ms' }),
  pollIntervalMs: milliseconds.positive(),
  stuckRecoveryIntervalMs: milliseconds.positive(),
  retryPolicy: z.strictObject({
    maxAttempts: z.number().int().min(1),
    baseDelayMs: milliseconds.nonnegative(),
    maxDelayMs: milliseconds.nonnegative(),
    factor: z.number().min(1),
  }),
  pacing: z.union([z.literal(false), z.strictObject({ minIntervalMs: milliseconds.nonnegative(), jitterMs: milliseconds.nonnegative() })]),
  channelHealth: z.strictObject({
    cacheMs: milliseconds.nonnegative(),
    retryAfterMs: milliseconds.positive(),
    alertAfterMs: milliseconds.nonnegative(),
  }),
});

/**
 * Fills in the defaults and checks every option; a bad one is a `ValidationError` naming it
 * (`batchSize`, `handlers.1.kinds`, …).
 */
export function resolveDispatcherSettings(options: DispatcherOptions): DispatcherSettings {
  const settings = parseOrThrow(settingsSchema, {
    workerId: options.workerId ?? `dispatcher-${globalThis.crypto.randomUUID()}`,
    batchSize: options.batchSize ?? 100,
    claimHorizonMs: options.claimHorizonMs ?? 10_000,
    leaseMs: options.leaseMs ?? 15 * minute,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    stuckRecoveryIntervalMs: options.stuckRecoveryIntervalMs ?? 5 * minute,
    retryPolicy: options.retryPolicy ?? defaultRetryPolicy,
    pacing: options.pacing ?? { minIntervalMs: 1000, jitterMs: 250 },
    channelHealth: options.channelHealth ?? { cacheMs: 30_000, retryAfterMs: minute, alertAfterMs: 30 * minute },
  });
  return { ...settings, claimLimit: claimLimit(settings), handlers: handlersByKind(options.handlers) };
}

/**
 * What one pass may claim: the rows one instance's pacing sends within the horizon (its fastest
 * rate, jitter aside), at least one, at most a batch. Rows of other instances are sent
 * concurrently, so a pass over many instances ends sooner and the loop claims again at once.
 */
function claimLimit(settings: {
  readonly batchSize: number;
  readonly claimHorizonMs: number;
  readonly pacing: PacingOptions | false;
}): number {
  const { batchSize, claimHorizonMs, pacing } = settings;
  if (pacing === false || pacing.minIntervalMs === 0) return batchSize;
  return Math.min(batchSize, Math.max(1, Math.floor(claimHorizonMs / pacing.minIntervalMs)));
}

function handlersByKind(handlers: readonly DispatchHandler[]): ReadonlyMap<ScheduledKind, DispatchHandler> {
  if (handlers.length === 0) throw ValidationError.forField('handlers', 'must serve at least one kind');
  const byKind = new Map<ScheduledKind, DispatchHandler>();
  const owner = new Map<ScheduledKind, number>();
  handlers.forEach((handler, index) => {
    if (handler.kinds.length === 0) throw ValidationError.forField(`handlers.${index}.kinds`, 'must name at least one kind');
    for (const kind of handler.kinds) {
      if (!scheduledKindSchema.safeParse(kind).success) {
        // Callers in plain JavaScript may pass anything; String() also renders a symbol without throwing.
        const given: unknown = kind;
        throw ValidationError.forField(`handlers.${index}.kinds`, `${String(given)} is not a scheduled-message kind`);
      }
      const previous = owner.get(kind);
      if (previous !== undefined) {
        throw ValidationError.forField(`handlers.${index}.kinds`, `kind ${kind} is already served by handlers.${previous}`);
      }
      owner.set(kind, index);
      byKind.set(kind, handler);
    }
  });
  return byKind;
}
