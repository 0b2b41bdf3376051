/**
 * The agent's turn store on both drivers: lead states and turn records survive a new store on
 * the same database (another process, a restart), stay within their tenant, and a lead's turns
 * are pruned to the newest ones kept.
 */
import { randomUUID } from 'node:crypto';
import type { AgentTurnRecord } from '@sdr/agent';
import { emptyLeadState } from '@sdr/agent';
import { expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createPostgresTurnStore, keptTurnsPerLead } from './postgres-turn-store.js';

const turnOf = (tenantId: string, leadId: string, index: number, overrides: Partial<AgentTurnRecord> = {}): AgentTurnRecord => ({
  id: randomUUID(),
  tenantId,
  leadId,
  startedAt: new Date(Date.UTC(2026, 0, 5, 12, 0, index)),
  finishedAt: new Date(Date.UTC(2026, 0, 5, 12, 0, index, 250)),
  outcome: 'replied',
  reason: null,
  attempts: 1,
  steps: 2,
  toolCalls: [{ tool: 'find_slots', ok: true }],
  replyMessageId: `message-${String(index)}`,
  modelMs: 12.5,
  totalMs: 20.25,
  ...overrides,
});

describeEachDriver('the agent’s turn store on PostgreSQL', (database) => {
  const store = () => createPostgresTurnStore({ db: database().database });

  it('keeps the offered slots of a lead where another store (a restarted process) reads them', async () => {
    const [tenantId, leadId] = [randomUUID(), randomUUID()];
    expect(await store().leadState(tenantId, leadId)).toEqual(emptyLeadState);
    const offered = [new Date('2026-01-06T12:00:00.000Z'), new Date('2026-01-06T13:30:00.000Z')];
    await store().saveLeadState(tenantId, leadId, { offeredSlots: offered, answeredThrough: 'message-1' });
    expect(await store().leadState(tenantId, leadId)).toEqual({ offeredSlots: offered, answeredThrough: 'message-1' });
    // Saving again replaces the state (the newest offer is the one that counts).
    await store().saveLeadState(tenantId, leadId, { offeredSlots: [], answeredThrough: 'message-2' });
    expect(await store().leadState(tenantId, leadId)).toEqual({ offeredSlots: [], answeredThrough: 'message-2' });
  });

  it('records turns, newest first, with their tools and timings', async () => {
    const [tenantId, leadId] = [randomUUID(), randomUUID()];
    const first = turnOf(tenantId, leadId, 1);
    const second = turnOf(tenantId, leadId, 2, {
      outcome: 'handed_off',
      reason: 'timed out',
      attempts: 2,
      toolCalls: [
        { tool: 'book_meeting', ok: false, code: 'not_offered' },
        { tool: 'handoff_to_human', ok: true },
      ],
      replyMessageId: null,
    });
    await store().recordTurn(first);
    await store().recordTurn(second);
    expect(await store().listTurns(tenantId, leadId, 10)).toEqual([second, first]);
    expect(await store().listTurns(tenantId, leadId, 1)).toEqual([second]);
  });

  it('never answers one tenant with another tenant’s lead state or turns', async () => {
    const [owner, other, leadId] = [randomUUID(), randomUUID(), randomUUID()];
    await store().saveLeadState(owner, leadId, { offeredSlots: [new Date('2026-01-06T12:00:00.000Z')], answeredThrough: 'm' });
    await store().recordTurn(turnOf(owner, leadId, 1));
    expect(await store().leadState(other, leadId)).toEqual(emptyLeadState);
    expect(await store().listTurns(other, leadId, 10)).toEqual([]);
  });

  it(`keeps the newest ${String(keptTurnsPerLead)} turns of a lead`, async () => {
    const [tenantId, leadId, otherLead] = [randomUUID(), randomUUID(), randomUUID()];
    await store().recordTurn(turnOf(tenantId, otherLead, 0));
    const recorded: AgentTurnRecord[] = [];
    for (let index = 0; index < keptTurnsPerLead + 5; index += 1) {
      const turn = turnOf(tenantId, leadId, index);
      recorded.push(turn);
      await store().recordTurn(turn);
    }
    const [{ count } = { count: '0' }] = await database().sql<{ count: string }>(
      'SELECT count(*)::text AS count FROM sdr_server.agent_turns WHERE tenant_id = $1 AND lead_id = $2',
      [tenantId, leadId],
    );
    expect(Number(count)).toBe(keptTurnsPerLead);
    const listed = await store().listTurns(tenantId, leadId, keptTurnsPerLead);
    expect(listed.map((turn) => turn.id)).toEqual(
      recorded
        .slice(-keptTurnsPerLead)
        .reverse()
        .map((turn) => turn.id),
    );
    // Another lead's turns are not pruned with these.
    expect(await store().listTurns(tenantId, otherLead, 10)).toHaveLength(1);
  }, 60_000);
});
