// The SchedulerStore v1 contract is documented on the `SchedulerStore` interface below, where the API reference shows it.
import type {
  NewScheduledMessageInput,
  ScheduledKind,
  ScheduledMessage,
  ScheduledStatus,
  SkipReason,
  StoredError,
} from '../../domain/model/scheduled-message.js';

export interface ScheduledMessageFilter {
  readonly tenantId: string;
  readonly ids?: readonly string[];
  readonly dedupeKeys?: readonly string[];
  readonly leadId?: string;
  readonly contactId?: string;
  readonly appointmentId?: string;
  readonly billingCycleId?: string;
  readonly kinds?: readonly ScheduledKind[];
  readonly statuses?: readonly ScheduledStatus[];
}

export interface ClaimDueInput {
  readonly now: Date;
  readonly limit: number;
  readonly workerId: string;
  readonly leaseMs: number;
  /** Only rows of these kinds (the kinds the claiming dispatcher has handlers for); all when absent. */
  readonly kinds?: readonly ScheduledKind[];
}

/**
 * The table of scheduled messages (follow-ups, reminders, billing messages) and the claim
 * protocol the dispatcher runs on (SPEC §4.6).
 *
 * Contract:
 * - `schedule` is idempotent on `(tenantId, dedupeKey)` whatever the existing row's status: the
 *   second call returns the first row untouched with `created: false`.
 * - `claimDue` atomically moves up to `limit` rows that are `pending` and due (`dueAt <= now`) to
 *   `sending`, stamping `lockedBy`, `lockedAt` and `leaseExpiresAt = now + leaseMs`, oldest `dueAt`
 *   first. Concurrent claimers never receive the same row (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
 *   Claims span tenants: the dispatcher serves all of them; every row carries its `tenantId`.
 * - `markSent`, `markSkipped`, `markFailed`, `defer` and `heartbeat` act only on rows in `sending`
 *   locked by the given `workerId`, and return `false` (or skip the row) otherwise — a worker
 *   whose lease expired cannot overwrite the work of the one that recovered the row.
 * - `markFailed` with a `retryAt` returns the row to `pending` at that time; with `null` it becomes
 *   `failed`. Both count an attempt. `defer` returns it to `pending` without counting one.
 * - `recoverStuck` returns `sending` rows whose lease expired to `pending` (counting the lost
 *   attempt) so that they are sent again; it spans tenants.
 * - `releaseClaimsOf` does the same at once, whatever the lease, for the `sending` rows held by
 *   the given workers — workers known to be dead (their process stopped beating), whose claims
 *   would otherwise wait out the lease. It spans tenants; rows of other workers are untouched.
 * - `cancel` cancels only `pending` rows matching **all** given criteria; a row in flight
 *   (`sending`) is left to the dispatcher, which re-validates before sending.
 * - Rows in `cancelled`, `sent`, `failed` or `skipped` are never claimed.
 */
export interface SchedulerStore {
  readonly contractVersion: 'v1';

  schedule(input: NewScheduledMessageInput): Promise<{ readonly message: ScheduledMessage; readonly created: boolean }>;

  get(tenantId: string, id: string): Promise<ScheduledMessage | null>;

  /** Rows matching every criterion, by `dueAt` then `createdAt`; at most `limit` (default 1000). */
  list(filter: ScheduledMessageFilter & { readonly limit?: number }): Promise<ScheduledMessage[]>;

  /** Cancels the matching `pending` rows; returns them as cancelled. */
  cancel(
    filter: Omit<ScheduledMessageFilter, 'statuses'>,
    input: { readonly reason: string; readonly now: Date },
  ): Promise<ScheduledMessage[]>;

  claimDue(input: ClaimDueInput): Promise<ScheduledMessage[]>;

  /** Extends the lease of rows this worker holds; returns how many were extended. */
  heartbeat(input: {
    readonly ids: readonly string[];
    readonly workerId: string;
    readonly now: Date;
    readonly leaseMs: number;
  }): Promise<number>;

  markSent(input: {
    readonly id: string;
    readonly workerId: string;
    readonly now: Date;
    readonly providerMessageId: string | null;
  }): Promise<boolean>;

  markSkipped(input: { readonly id: string; readonly workerId: string; readonly now: Date; readonly reason: SkipReason }): Promise<boolean>;

  markFailed(input: {
    readonly id: string;
    readonly workerId: string;
    readonly now: Date;
    readonly error: StoredError;
    /** When to try again; `null` fails the row for good. */
    readonly retryAt: Date | null;
  }): Promise<boolean>;

  /** Back to `pending` at `dueAt` without counting an attempt (outside business hours, channel down). */
  defer(input: { readonly id: string; readonly workerId: string; readonly now: Date; readonly dueAt: Date }): Promise<boolean>;

  recoverStuck(input: { readonly now: Date }): Promise<ScheduledMessage[]>;

  /**
   * Returns the `sending` rows held by any of `workerIds` to `pending` now, whatever their lease,
   * counting the lost attempt (`lastError.code` `worker_lost`); for workers known to be dead.
   * Returns the released rows, by `dueAt`.
   */
  releaseClaimsOf(input: { readonly workerIds: readonly string[]; readonly now: Date }): Promise<ScheduledMessage[]>;

  /** Counts for metrics: pending rows, the oldest due pending `dueAt`, rows in `sending`. */
  stats(input: { readonly now: Date; readonly tenantId?: string }): Promise<{
    readonly pending: number;
    readonly duePending: number;
    readonly oldestDueAt: Date | null;
    readonly sending: number;
    readonly stuck: number;
  }>;
}
