/**
 * `AgentTurnStore`: what the agent remembers between turns — the slots offered to each lead
 * (the only ones it may book) and which inbound messages a reply answered, and a record of each turn (outcome, tools used, timings; no
 * message text, no personal data). The server keeps it in PostgreSQL; `createInMemoryTurnStore`
 * serves tests and single-process hosts.
 */
import type { ToolCallRecord } from './tool-support.js';

/** How a turn ended. */
export type TurnOutcome = 'replied' | 'skipped' | 'handed_off' | 'failed';

/** One turn of the agent for a lead. */
export interface AgentTurnRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly leadId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcome: TurnOutcome;
  /** Why a turn was skipped (`opted_out`, `handed_off`, `stopped`, `stage_won`, `nothing_to_answer`, `disabled`) or failed. */
  readonly reason: string | null;
  /** Model attempts (1, or 2 after a retry). */
  readonly attempts: number;
  /** Model steps of the successful attempt. */
  readonly steps: number;
  readonly toolCalls: readonly ToolCallRecord[];
  /** The id of the reply message, when one was sent. */
  readonly replyMessageId: string | null;
  /** Time spent waiting for the model, and in total. */
  readonly modelMs: number;
  readonly totalMs: number;
}

/** What the agent keeps about a lead between turns. */
export interface AgentLeadState {
  /** Slots offered to the lead, newest first: the only ones it may book. */
  readonly offeredSlots: readonly Date[];
  /** The newest inbound message a reply has answered: later ones are still to answer. */
  readonly answeredThrough: string | null;
}

/** The state of a lead the agent never answered. */
export const emptyLeadState: AgentLeadState = Object.freeze({ offeredSlots: [], answeredThrough: null });

/** Storage of lead states and turn records (see the module comment). */
export interface AgentTurnStore {
  leadState(tenantId: string, leadId: string): Promise<AgentLeadState>;
  saveLeadState(tenantId: string, leadId: string, state: AgentLeadState): Promise<void>;
  recordTurn(turn: AgentTurnRecord): Promise<void>;
  /** The latest turns of a lead, newest first. */
  listTurns(tenantId: string, leadId: string, limit: number): Promise<AgentTurnRecord[]>;
}

/** An `AgentTurnStore` in memory. */
export function createInMemoryTurnStore(): AgentTurnStore {
  const states = new Map<string, AgentLeadState>();
  const turns = new Map<string, AgentTurnRecord[]>();
  const key = (tenantId: string, leadId: string) => `${tenantId}/${leadId}`;
  return {
    leadState: (tenantId, leadId) => Promise.resolve(states.get(key(tenantId, leadId)) ?? emptyLeadState),
    saveLeadState(tenantId, leadId, state) {
      states.set(key(tenantId, leadId), { offeredSlots: [...state.offeredSlots], answeredThrough: state.answeredThrough });
      return Promise.resolve();
    },
    recordTurn(turn) {
      const list = turns.get(key(turn.tenantId, turn.leadId)) ?? [];
      list.unshift(turn);
      turns.set(key(turn.tenantId, turn.leadId), list.slice(0, 100));
      return Promise.resolve();
    },
    listTurns: (tenantId, leadId, limit) => Promise.resolve((turns.get(key(tenantId, leadId)) ?? []).slice(0, limit)),
  };
}
