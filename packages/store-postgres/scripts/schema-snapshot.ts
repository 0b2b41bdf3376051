/**
 * `pnpm --filter @sdr/store-postgres schema:snapshot`: migrates an empty embedded database and
 * writes the normalised dump of its schema to `schema/schema-snapshot.txt`, which the drift test
 * compares against. Commit the result with the migration that changed it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openPglite } from '../src/database/open-pglite.js';
import { migrate } from '../src/migrations/migrate.js';
import { dumpSchema, snapshotPath } from '../src/schema/schema-snapshot.js';

const pglite = await openPglite();
try {
  await migrate({ db: pglite });
  const dump = await dumpSchema(async <R>(sql: string, params: unknown[]) => (await pglite.query(sql, params)).rows as R[]);
  mkdirSync(dirname(snapshotPath), { recursive: true });
  writeFileSync(snapshotPath, dump);
  process.stdout.write(`wrote ${snapshotPath}\n`);
} finally {
  await pglite.close();
}
