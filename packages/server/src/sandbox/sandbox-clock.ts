/**
 * `createSandboxClock`: the sandbox's virtual clock — real time plus an offset a newcomer moves
 * forward (`POST /v1/sandbox/clock/advance`) to watch the 30-minute follow-up happen without
 * waiting for it. The offset lives in the database (`settings` key `sandbox.clock_offset_ms`),
 * so every process sharing it — the API that advanced it and the worker that dispatches — agrees
 * on the time: `advance` adds atomically in the database and updates this process at once; the
 * others pick it up on their next `refresh` (every `refreshMs` once `start`ed).
 *
 * Time only moves forward: the offset grows, never shrinks. `sleep` waits on the base clock (a
 * jump does not wake a sleeper early; the dispatcher's next pass sees the new time).
 */
import { ValidationError, createPassLoop, systemClock, type Clock, type Logger } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { instant, sandboxTable } from './sandbox-sql.js';

/** The `settings` key holding the offset, in milliseconds. */
export const sandboxClockOffsetKey = 'sandbox.clock_offset_ms';

/** The largest single advance: 400 days. */
export const maxSandboxAdvanceMs = 400 * 24 * 3_600_000;

/** Options of `createSandboxClock`. */
export interface SandboxClockOptions {
  readonly db: Database;
  /** The server schema holding `settings` (default `sdr_server`). */
  readonly schema?: string;
  /** The clock the offset is added to (default the system clock); it also times `sleep` and refreshes. */
  readonly base?: Clock;
  /** How often a `start`ed clock re-reads the offset, in milliseconds (default 1000). */
  readonly refreshMs?: number;
  /** Where a failed refresh is reported (the clock keeps its last known offset and tries again). */
  readonly logger?: Logger;
}

/** A `Clock` running ahead of its base by a shared, growing offset. */
export interface SandboxClock extends Clock {
  /** How far ahead of the base clock this process currently is, in milliseconds. */
  readonly offsetMs: number;
  /** Moves the shared time forward by `ms` (1 ms … 400 days); resolves with the new offset. */
  advance(ms: number): Promise<number>;
  /** Re-reads the shared offset; resolves with it. */
  refresh(): Promise<number>;
  /** Starts re-reading the offset every `refreshMs` (after a first read). */
  start(): Promise<void>;
  /** Stops the refreshes; resolves once the loop has ended. */
  stop(): Promise<void>;
}

/** Creates the sandbox clock; call `refresh` (or `start`) before relying on another process's advances. */
export function createSandboxClock(options: SandboxClockOptions): SandboxClock {
  const { db } = options;
  const base = options.base ?? systemClock;
  const refreshMs = options.refreshMs ?? 1000;
  if (!Number.isInteger(refreshMs) || refreshMs < 10 || refreshMs > 3_600_000) {
    throw ValidationError.forField('refreshMs', 'must be a whole number of milliseconds from 10 to 3600000');
  }
  const settings = sandboxTable(options.schema, 'settings');
  let offsetMs = 0;

  // The offset only grows: a refresh racing an advance can never move this process back.
  const adopt = (value: unknown): number => {
    const read = typeof value === 'number' ? value : Number(value);
    if (Number.isSafeInteger(read) && read > offsetMs) offsetMs = read;
    return offsetMs;
  };

  const refresh = async (): Promise<number> => {
    const [row] = await db.query('sandbox.clock.read', `SELECT value FROM ${settings} WHERE key = $1`, [sandboxClockOffsetKey]);
    return adopt(row?.['value'] ?? 0);
  };

  // A failed read keeps the last known offset (the loop logs it); the next pass tries again.
  const loop = createPassLoop({
    name: 'sandbox clock refresh',
    clock: base,
    intervalMs: refreshMs,
    // `start` has just read the offset.
    waitFirst: true,
    pass: refresh,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });

  return {
    contractVersion: 'v1',
    now: () => new Date(base.now().getTime() + offsetMs),
    sleep: (ms, signal) => base.sleep(ms, signal),
    get offsetMs() {
      return offsetMs;
    },

    async advance(ms) {
      if (!Number.isInteger(ms) || ms < 1 || ms > maxSandboxAdvanceMs) {
        throw ValidationError.forField('ms', `must be a whole number of milliseconds from 1 to ${maxSandboxAdvanceMs} (400 days)`);
      }
      // One statement: concurrent advances from several processes add up, none is lost.
      const [row] = await db.write(
        'sandbox.clock.advance',
        `INSERT INTO ${settings} AS s (key, value, updated_at) VALUES ($1, to_jsonb($2::bigint), $3::timestamptz)
         ON CONFLICT (key) DO UPDATE SET value = to_jsonb((s.value #>> '{}')::bigint + $2::bigint), updated_at = excluded.updated_at
         RETURNING (value #>> '{}')::bigint AS value`,
        [sandboxClockOffsetKey, ms, instant(base.now())],
      );
      return adopt(row?.['value']);
    },

    refresh,

    async start() {
      if (loop.running) return;
      await refresh();
      loop.start();
    },

    async stop() {
      await loop.stop();
    },
  };
}
