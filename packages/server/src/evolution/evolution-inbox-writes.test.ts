/**
 * The inbox's writes on a real database: deliveries arriving together share a statement, each
 * caller learns whether its own delivery was stored, repeats are duplicates however they are
 * grouped, rows keep their arrival order, and a bad delivery fails alone.
 */
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '@sdr/store-postgres';
import { expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import type { NewInboxEvent } from './evolution-inbox.js';
import { createInboxWrites } from './evolution-inbox-writes.js';

const table = `${quoteIdentifier(serverSchema)}.evolution_inbox`;
const receivedAt = new Date('2026-03-02T12:00:00Z');

function event(tenantId: string, dedupeKey: string): NewInboxEvent {
  return {
    tenantId,
    instance: 'main',
    event: 'messages.upsert',
    dedupeKey,
    orderKey: `phone:+55119${dedupeKey.length}`,
    envelope: { event: 'messages.upsert', instance: 'main', data: { key: { id: dedupeKey }, text: 'olá "aspas" \\ barra' } },
    receivedAt,
  };
}

describeEachDriver('Evolution inbox writes', (database) => {
  /** The database's `write`, counting its statements. */
  const counted = () => {
    const db = database().database;
    const counter = { statements: 0 };
    const write: SqlExecutor['write'] = (operation, sql, params) => {
      counter.statements += 1;
      return db.write(operation, sql, params);
    };
    return { db: { write }, counter };
  };

  it('writes deliveries that arrive together in one statement, each resolved with its own outcome', async () => {
    const tenantId = randomUUID();
    const { db, counter } = counted();
    const add = createInboxWrites({ db, table, maxInFlight: 1 });
    const keys = Array.from({ length: 30 }, (_, index) => `m-${index % 20}`);
    // One in three repeats an earlier key; one more repeats a key with the tenant id in capitals.
    const outcomes = await Promise.all([...keys.map((key) => add(event(tenantId, key))), add(event(tenantId.toUpperCase(), 'm-3'))]);
    expect(counter.statements).toBe(2);
    expect(outcomes.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => true));
    expect(outcomes.slice(20)).toEqual(Array.from({ length: 11 }, () => false));
    const rows = await database().sql<{ dedupe_key: string; envelope: unknown }>(
      `SELECT dedupe_key, envelope FROM ${table} WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
    // In arrival order, each once, the envelope kept as sent.
    expect(rows.map((row) => row.dedupe_key)).toEqual(keys.slice(0, 20));
    expect(rows[0]?.envelope).toEqual(event(tenantId, 'm-0').envelope);
    // Stored already: a later delivery, alone in its statement, is a duplicate too.
    expect(await add(event(tenantId, 'm-7'))).toBe(false);
    expect(await add(event(tenantId, 'm-20'))).toBe(true);
  });

  it('fails only the delivery that cannot be stored when its statement fails', async () => {
    const tenantId = randomUUID();
    const { db } = counted();
    const add = createInboxWrites({ db, table, maxInFlight: 1 });
    const first = add(event(tenantId, 'first'));
    const together = [add(event(tenantId, 'a')), add(event('not-a-tenant-id', 'b')), add(event(tenantId, 'c'))];
    expect(await first).toBe(true);
    const settled = await Promise.allSettled(together);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: true });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: true });
    const stored = await database().sql<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${table} WHERE tenant_id = $1 ORDER BY id`, [
      tenantId,
    ]);
    expect(stored.map((row) => row.dedupe_key)).toEqual(['first', 'a', 'c']);
  });
});
