/**
 * The `@sdr/testkit` repository suite (every repository and the unit of work) on PostgreSQL and
 * on PGlite.
 */
import { VirtualClock } from '@sdr/core';
import { runRepositoryConformance } from '@sdr/testkit';
import { createPostgresStore } from './store/postgres-store.js';
import { describeEachDriver, rowCounts } from './test-support/test-database.js';

describeEachDriver('store-postgres repositories', (database, driver) => {
  runRepositoryConformance({
    name: driver,
    reset: () => database().reset(),
    create: () => {
      const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
      return { store: createPostgresStore({ db: database().db, clock }), clock };
    },
    inspect: { rowCounts: (_subject, tenantId) => rowCounts(database(), tenantId) },
    // PGlite is one connection: a read outside a running transaction waits for it.
    capabilities: { isolatedTransactions: driver === 'postgres' },
  });
});
