/**
 * Worker heartbeats: every worker loop of every process (dispatcher, sync worker,
 * reconciliation, stuck recovery, alert evaluation) writes one row per completed pass to
 * `worker_heartbeats` in the server's schema. The alert evaluator and `/metrics` read them
 * across every process sharing the database, so a dispatcher that stopped anywhere is seen
 * everywhere. Instants come from the `Clock`, never from the database's `now()`, so that a
 * virtual clock drives them in tests and in the sandbox.
 */
import { ValidationError, type Clock } from '@sdr/core';
import type { Database, Row } from '@sdr/store-postgres';

/** One worker loop's last beat. */
export interface Heartbeat {
  readonly workerId: string;
  /** What the loop does: `dispatcher`, `sync`, `reconciliation`, `stuck_recovery`, `alerts`. */
  readonly component: string;
  /** The process that runs it (a host name and pid, a container id). */
  readonly processId: string;
  /** When this process first beat for this worker. */
  readonly startedAt: Date;
  readonly lastBeatAt: Date;
}

/** Reads and writes heartbeats; see the module comment. */
export interface Heartbeats {
  /** Records a completed pass of `workerId` (a row per worker, upserted). */
  beat(workerId: string, component: string): Promise<Heartbeat>;
  /** Every worker's last beat, newest first. */
  list(): Promise<Heartbeat[]>;
  /** The newest beat of `component` across processes; `null` when none ever beat. */
  latest(component: string): Promise<Heartbeat | null>;
  /** Removes a worker's row (on graceful stop, so that its silence is not mistaken for a crash). */
  forget(workerId: string): Promise<void>;
}

/** Options of `createHeartbeats`. */
export interface HeartbeatsOptions {
  readonly db: Database;
  /** The schema the server migrated its tables into (default `sdr_server`). */
  readonly schema?: string;
  readonly clock: Clock;
  /** This process's id, stamped on every beat. */
  readonly processId: string;
}

/** The schema the server's own migrations use by default. */
export const defaultServerSchema = 'sdr_server';

const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;
const maxLabelLength = 200;

/** Creates the heartbeat table's accessor. */
export function createHeartbeats(options: HeartbeatsOptions): Heartbeats {
  const schema = options.schema ?? defaultServerSchema;
  if (!identifierPattern.test(schema)) throw ValidationError.forField('schema', 'must be a lower-case SQL identifier');
  requireText('processId', options.processId);
  const { db, clock, processId } = options;
  const table = `"${schema}".worker_heartbeats`;
  const columns = 'worker_id, component, process_id, started_at, last_beat_at';

  return {
    async beat(workerId, component) {
      requireText('workerId', workerId);
      requireText('component', component);
      const now = clock.now().toISOString();
      // A worker id taken over by another process starts a new life: its `started_at` is reset.
      const [row] = await db.write(
        'heartbeats.beat',
        `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz)
         ON CONFLICT (worker_id) DO UPDATE SET
           component = EXCLUDED.component,
           process_id = EXCLUDED.process_id,
           started_at = CASE WHEN ${table}.process_id = EXCLUDED.process_id THEN ${table}.started_at ELSE EXCLUDED.started_at END,
           last_beat_at = EXCLUDED.last_beat_at
         RETURNING ${columns}`,
        [workerId, component, processId, now],
      );
      if (row === undefined) throw new Error('the heartbeat upsert returned no row');
      return toHeartbeat(row);
    },
    async list() {
      const rows = await db.query('heartbeats.list', `SELECT ${columns} FROM ${table} ORDER BY last_beat_at DESC, worker_id`);
      return rows.map(toHeartbeat);
    },
    async latest(component) {
      const [row] = await db.query(
        'heartbeats.latest',
        `SELECT ${columns} FROM ${table} WHERE component = $1 ORDER BY last_beat_at DESC, worker_id LIMIT 1`,
        [component],
      );
      return row === undefined ? null : toHeartbeat(row);
    },
    async forget(workerId) {
      await db.write('heartbeats.forget', `DELETE FROM ${table} WHERE worker_id = $1`, [workerId]);
    },
  };
}

function requireText(field: string, value: string): void {
  if (value.trim() === '') throw ValidationError.forField(field, 'must not be empty');
  if (value.length > maxLabelLength) throw ValidationError.forField(field, `must be at most ${maxLabelLength} characters`);
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function toHeartbeat(row: Row): Heartbeat {
  return {
    workerId: String(row['worker_id']),
    component: String(row['component']),
    processId: String(row['process_id']),
    startedAt: toDate(row['started_at']),
    lastBeatAt: toDate(row['last_beat_at']),
  };
}
