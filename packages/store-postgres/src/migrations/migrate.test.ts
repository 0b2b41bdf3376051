/**
 * `migrate`: idempotent, checksummed, per schema — and schema drift: the schema the migrations
 * produce must be the committed snapshot, on PGlite and on PostgreSQL alike. A difference means a
 * migration changed (or a server behaves differently) without the snapshot being reviewed with it.
 */
import { randomUUID } from 'node:crypto';
import { SdrError } from '@sdr/core';
import { expectSdrError } from '@sdr/testkit';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dumpSchema, snapshotCommand, snapshotPath } from '../schema/schema-snapshot.js';
import { describeEachDriver } from '../test-support/test-database.js';
import { loadMigrations } from './migration-files.js';
import { migrate } from './migrate.js';

const freshSchema = () => `migrate_${randomUUID().replace(/-/g, '').slice(0, 8)}`;

describe('migration files', () => {
  it('are numbered from 1 without gaps, each with a SHA-256 checksum and the schema placeholder', () => {
    const migrations = loadMigrations();
    expect(migrations.map((migration) => migration.id)).toEqual(migrations.map((_, index) => index + 1));
    for (const migration of migrations) {
      expect(migration.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(migration.sql).toContain(':SDR_SCHEMA.');
    }
  });
});

describeEachDriver('migrate', (database) => {
  it('applies every migration once; running it again applies nothing', async () => {
    const schema = freshSchema();
    const first = await migrate({ db: database().db, schema });
    expect(first.applied).toEqual(loadMigrations().map((migration) => migration.name));
    expect(await migrate({ db: database().db, schema })).toEqual({ applied: [], version: first.version });
    const tables = await database().sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    );
    expect(tables[0]?.count).toBeGreaterThan(10);
  });

  it('refuses to go on when an applied migration was edited since (checksum mismatch), changing nothing', async () => {
    const schema = freshSchema();
    await migrate({ db: database().db, schema });
    await database().sql(`UPDATE ${schema}.migrations SET checksum = 'edited' WHERE id = 2`);
    const error = await expectSdrError(migrate({ db: database().db, schema }), SdrError);
    expect(error.message).toMatch(/000002_.*was edited after it was applied/);
  });

  it('refuses a database that has a migration this code does not know (a newer schema)', async () => {
    const schema = freshSchema();
    const { version } = await migrate({ db: database().db, schema });
    await database().sql(`INSERT INTO ${schema}.migrations (id, name, checksum) VALUES ($1, '999999_from_the_future.sql', 'x')`, [
      version + 1,
    ]);
    const error = await expectSdrError(migrate({ db: database().db, schema }), SdrError);
    expect(error.message).toMatch(/999999_from_the_future.sql/);
  });

  it("applies an application's own migrations in a schema of their own, recorded apart from the store's", async () => {
    const schema = freshSchema();
    const own = [{ id: 1, name: '000001_notes.sql', checksum: 'c1', sql: 'CREATE TABLE :SDR_SCHEMA.notes (id integer PRIMARY KEY);' }];
    expect(await migrate({ db: database().db, schema, migrations: own })).toEqual({ applied: ['000001_notes.sql'], version: 1 });
    expect(await migrate({ db: database().db, schema, migrations: own })).toEqual({ applied: [], version: 1 });
    const recorded = await database().sql<{ name: string }>(`SELECT name FROM ${schema}.migrations`);
    expect(recorded).toEqual([{ name: '000001_notes.sql' }]);
    await database().sql(`INSERT INTO ${schema}.notes (id) VALUES (1)`);
  });

  it('a schema name that is not a plain identifier is a ValidationError, before any SQL runs', async () => {
    const error = await expectSdrError(migrate({ db: database().db, schema: 'sdr"; DROP TABLE x; --' }), SdrError);
    expect(error.code).toBe('validation_failed');
  });

  it('schema drift: the migrated schema equals schema/schema-snapshot.txt', async () => {
    const actual = await dumpSchema((sql, params) => database().sql(sql, params));
    const expected = readFileSync(snapshotPath, 'utf8');
    expect(
      actual,
      `the migrated schema differs from the snapshot: if the change is intended, run \`${snapshotCommand}\` and commit it`,
    ).toBe(expected);
  });
});
