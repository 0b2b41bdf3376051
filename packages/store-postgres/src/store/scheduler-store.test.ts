/** The `@sdr/testkit` scheduler-store suite on PostgreSQL and on PGlite. */
import { VirtualClock } from '@sdr/core';
import { runSchedulerStoreConformance } from '@sdr/testkit';
import { describeEachDriver } from '../test-support/test-database.js';
import { createPostgresStore } from './postgres-store.js';

describeEachDriver('store-postgres scheduler store', (database, driver) => {
  runSchedulerStoreConformance({
    name: driver,
    reset: () => database().reset(),
    create: () => {
      const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
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
});
