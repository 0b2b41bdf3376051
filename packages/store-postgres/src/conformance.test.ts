/**
 * Every `@sdr/testkit` suite the package implements, on PostgreSQL and on PGlite: the
 * repositories and the unit of work, the scheduler store, and the lock (on a virtual and on the
 * real clock). One file, so that PGlite — seconds of CPU to start — starts once for all of them.
 */
import { VirtualClock, systemClock } from '@sdr/core';
import { runLockConformance, runRepositoryConformance, runSchedulerStoreConformance } from '@sdr/testkit';
import { createPostgresLock } from './lock/postgres-lock.js';
import { createPostgresStore } from './store/postgres-store.js';
import { describeEachDriver, rowCounts } from './test-support/test-database.js';

const virtualClock = () => new VirtualClock('2030-01-01T00:00:00.000Z');

describeEachDriver('store-postgres conformance', (database, driver) => {
  runRepositoryConformance({
    name: driver,
    reset: () => database().reset(),
    create: () => {
      const clock = virtualClock();
      return { store: createPostgresStore({ db: database().db, clock }), clock };
    },
    inspect: { rowCounts: (_subject, tenantId) => rowCounts(database(), tenantId) },
    // PGlite is one connection: a read outside a running transaction waits for it.
    capabilities: { isolatedTransactions: driver === 'postgres' },
  });

  runSchedulerStoreConformance({
    name: driver,
    reset: () => database().reset(),
    create: () => {
      const clock = virtualClock();
      const store = createPostgresStore({ db: database().db, clock });
      return { scheduler: store.scheduledMessages, repositories: store, clock };
    },
    inspect: {
      rows: (_subject, tenantId) =>
        database().sql<{ id: string; dedupeKey: string; status: string }>(
          'SELECT id, dedupe_key AS "dedupeKey", status FROM sdr.scheduled_messages WHERE tenant_id = $1',
          [tenantId],
        ),
    },
  });

  runLockConformance({
    name: `${driver} (virtual clock)`,
    create: () => {
      const clock = virtualClock();
      return { lock: createPostgresLock({ db: database().db, clock }), clock };
    },
    inspect: { holder: ({ lock }, key) => lock.holder(key) },
  });

  runLockConformance({
    name: `${driver} (real clock)`,
    create: () => ({ lock: createPostgresLock({ db: database().db, clock: systemClock }), clock: systemClock }),
    inspect: { holder: ({ lock }, key) => lock.holder(key) },
    timing: { shortTtlMs: 200, expiryMarginMs: 100 },
  });
});
