/** The `@sdr/testkit` lock suite on PostgreSQL and on PGlite, on a virtual and on the real clock. */
import { VirtualClock, systemClock } from '@sdr/core';
import { runLockConformance } from '@sdr/testkit';
import { describeEachDriver } from '../test-support/test-database.js';
import { createPostgresLock } from './postgres-lock.js';

describeEachDriver('store-postgres lock', (database, driver) => {
  runLockConformance({
    name: `${driver} (virtual clock)`,
    create: () => {
      const clock = new VirtualClock('2030-01-01T00:00:00.000Z');
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
