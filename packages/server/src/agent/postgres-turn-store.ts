/**
 * The agent's turn store on PostgreSQL (`migrations/000006_agent_settings_and_turns.sql`): each
 * lead's offered slots and answered-through mark, and the record of each turn. Every process
 * sharing the database — and a process started again — sees what another offered, so a lead
 * picking one of the offered slots after a restart is still booked. Every statement is filtered
 * by the tenant.
 */
import type { AgentLeadState, AgentTurnRecord, AgentTurnStore, ToolCallRecord, TurnOutcome } from '@sdr/agent';
import { emptyLeadState } from '@sdr/agent';
import { SdrError } from '@sdr/core';
import type { Row, SqlExecutor } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { fromJson, instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';

/** How many turns of a lead are kept; older ones are removed as new ones are recorded. */
export const keptTurnsPerLead = 100;

/** Options of `createPostgresTurnStore`. */
export interface PostgresTurnStoreOptions {
  readonly db: SqlExecutor;
  /** The server's schema (default `sdr_server`). */
  readonly schema?: string;
}

const outcomes: readonly TurnOutcome[] = ['replied', 'skipped', 'handed_off', 'failed'];

/** Creates the store (see the module comment). */
export function createPostgresTurnStore(options: PostgresTurnStoreOptions): AgentTurnStore {
  const { db } = options;
  const schema = quoteIdentifier(options.schema ?? serverSchema);
  const states = `${schema}.agent_lead_states`;
  const turns = `${schema}.agent_turns`;
  return {
    async leadState(tenantId, leadId) {
      const [row] = await db.query(
        'agent.leadState',
        `SELECT offered_slots, answered_through FROM ${states} WHERE tenant_id = $1 AND lead_id = $2`,
        [tenantId, leadId],
      );
      return row === undefined ? emptyLeadState : toLeadState(row);
    },
    async saveLeadState(tenantId, leadId, state) {
      await db.write(
        'agent.saveLeadState',
        `INSERT INTO ${states} (tenant_id, lead_id, offered_slots, answered_through, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, now())
         ON CONFLICT (tenant_id, lead_id) DO UPDATE
           SET offered_slots = EXCLUDED.offered_slots, answered_through = EXCLUDED.answered_through, updated_at = EXCLUDED.updated_at`,
        [tenantId, leadId, JSON.stringify(state.offeredSlots.map(instant)), state.answeredThrough],
      );
    },
    async recordTurn(turn) {
      // One statement: the insert, and the removal of the lead's turns beyond the newest ones
      // kept. The removal does not see the row being inserted (one snapshot), so it keeps one
      // fewer of the older turns.
      await db.write(
        'agent.recordTurn',
        `WITH inserted AS (
           INSERT INTO ${turns} (id, tenant_id, lead_id, started_at, finished_at, outcome, reason, attempts, steps, tool_calls,
                                 reply_message_id, model_ms, total_ms)
           VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
           RETURNING id
         )
         DELETE FROM ${turns} WHERE tenant_id = $2 AND lead_id = $3 AND id IN (
           SELECT id FROM ${turns} WHERE tenant_id = $2 AND lead_id = $3
           ORDER BY started_at DESC, id DESC OFFSET ${String(keptTurnsPerLead - 1)}
         )`,
        [
          turn.id,
          turn.tenantId,
          turn.leadId,
          instant(turn.startedAt),
          instant(turn.finishedAt),
          turn.outcome,
          turn.reason,
          turn.attempts,
          turn.steps,
          JSON.stringify(turn.toolCalls),
          turn.replyMessageId,
          turn.modelMs,
          turn.totalMs,
        ],
      );
    },
    async listTurns(tenantId, leadId, limit) {
      const rows = await db.query(
        'agent.listTurns',
        `SELECT * FROM ${turns} WHERE tenant_id = $1 AND lead_id = $2 ORDER BY started_at DESC, id DESC LIMIT $3`,
        [tenantId, leadId, Math.max(0, Math.min(Math.trunc(limit), keptTurnsPerLead))],
      );
      return rows.map(toTurn);
    },
  };
}

function toLeadState(row: Row): AgentLeadState {
  const slots = fromJson(row['offered_slots']);
  if (!Array.isArray(slots)) throw new SdrError('the agent read offered slots that are not a list');
  return { offeredSlots: slots.map(toDate), answeredThrough: textOrNull(row['answered_through']) };
}

function toTurn(row: Row): AgentTurnRecord {
  const outcome = String(row['outcome']) as TurnOutcome;
  if (!outcomes.includes(outcome)) throw new SdrError(`the agent read a turn with an unknown outcome ${outcome}`);
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    leadId: String(row['lead_id']),
    startedAt: toDate(row['started_at']),
    finishedAt: toDate(row['finished_at']),
    outcome,
    reason: textOrNull(row['reason']),
    attempts: Number(row['attempts']),
    steps: Number(row['steps']),
    toolCalls: fromJson(row['tool_calls']) as ToolCallRecord[],
    replyMessageId: textOrNull(row['reply_message_id']),
    modelMs: Number(row['model_ms']),
    totalMs: Number(row['total_ms']),
  };
}
