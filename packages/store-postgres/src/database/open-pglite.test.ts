/** The embedded default: PGlite on a data directory keeps the store across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTenant } from '@sdr/testkit';
import { afterAll, expect, it } from 'vitest';
import { migrate } from '../migrations/migrate.js';
import { createPostgresStore } from '../store/postgres-store.js';
import { openPglite } from './open-pglite.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sdr-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('a store on a PGlite data directory finds its rows again after the instance is closed and reopened', async () => {
  const tenant = buildTenant({ name: 'Persisted Ltda' });
  const first = await openPglite({ dataDir });
  try {
    expect((await migrate({ db: first })).applied.length).toBeGreaterThan(0);
    await createPostgresStore({ db: first }).tenants.create(tenant);
  } finally {
    await first.close();
  }
  const second = await openPglite({ dataDir });
  try {
    expect((await migrate({ db: second })).applied).toEqual([]);
    expect(await createPostgresStore({ db: second }).tenants.get(tenant.id)).toEqual(tenant);
  } finally {
    await second.close();
  }
}, 60_000);
