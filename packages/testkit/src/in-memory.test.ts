/**
 * The in-memory doubles of `@sdr/core/testing` run every conformance suite, so that the fakes
 * the domain tests rely on are proven honest.
 */
import { PhoneNumber, VirtualClock, systemClock } from '@sdr/core';
import {
  createInMemoryBlobStore,
  createInMemoryCalendar,
  createInMemoryCredentialStore,
  createInMemoryCrm,
  createInMemoryLock,
  createInMemoryMessaging,
  createInMemoryRateLimiter,
  createInMemoryStore,
  type InMemoryCrm,
  type InMemoryStoreDump,
} from '@sdr/core/testing';
import { buildPhoneNumber } from './fixtures.js';
import {
  runBlobStoreConformance,
  runCalendarConformance,
  runCredentialStoreConformance,
  runCrmConformance,
  runLockConformance,
  runMessagingConformance,
  runRateLimiterConformance,
  runRepositoryConformance,
  runSchedulerStoreConformance,
} from './index.js';

const virtualClock = () => new VirtualClock('2030-01-01T00:00:00.000Z');

runLockConformance({
  name: 'in-memory (virtual clock)',
  create: () => {
    const clock = virtualClock();
    return { lock: createInMemoryLock({ clock }), clock };
  },
  inspect: { holder: async ({ lock }, key) => Promise.resolve(lock.holder(key)) },
});

runLockConformance({
  name: 'in-memory (real clock)',
  create: () => ({ lock: createInMemoryLock({ clock: systemClock }), clock: systemClock }),
  inspect: { holder: async ({ lock }, key) => Promise.resolve(lock.holder(key)) },
});

runRateLimiterConformance({
  name: 'in-memory (virtual clock)',
  create: () => {
    const clock = virtualClock();
    return { limiter: createInMemoryRateLimiter({ clock }), clock };
  },
});

runRateLimiterConformance({
  name: 'in-memory (real clock)',
  create: () => ({ limiter: createInMemoryRateLimiter({ clock: systemClock }), clock: systemClock }),
});

runBlobStoreConformance({
  name: 'in-memory',
  create: () => ({ blobs: createInMemoryBlobStore() }),
  inspect: { count: async ({ blobs }, tenantId) => Promise.resolve(blobs.list(tenantId).length) },
});

runCredentialStoreConformance({
  name: 'in-memory (virtual clock)',
  create: () => {
    const clock = virtualClock();
    return { store: createInMemoryCredentialStore({ clock }), clock };
  },
});

runCalendarConformance({
  name: 'in-memory',
  create: () => {
    const clock = virtualClock();
    return { calendar: createInMemoryCalendar({ clock }), clock };
  },
  inspect: {
    eventsWithId: async ({ calendar }, calendarId, eventId) =>
      Promise.resolve(calendar.allEvents(calendarId).filter((event) => event.eventId === eventId)),
  },
});

const crmInspector = {
  notes: async ({ crm }: { crm: InMemoryCrm }, leadId: string) => Promise.resolve(crm.notes(leadId)),
  requestCount: async ({ crm }: { crm: InMemoryCrm }) => Promise.resolve(crm.requests.length),
  requestTimes: async ({ crm }: { crm: InMemoryCrm }) => Promise.resolve(crm.requests.map((request) => request.at)),
};

runCrmConformance({
  name: 'in-memory (rate limit enforced, pacing itself on a virtual clock)',
  create: () => {
    const clock = virtualClock();
    const customFieldIds = ['100001', '100002'];
    const rateLimiter = createInMemoryRateLimiter({ clock });
    const crm = createInMemoryCrm({ clock, customFieldIds, rateLimiter, account: 'conformance' });
    return { crm, clock, customFieldIds, pacing: { rateLimiter, key: 'crm:in-memory-crm:conformance' } };
  },
  inspect: crmInspector,
});

runCrmConformance({
  name: 'in-memory (pacing itself at 3 of 7 per second, batches of 3)',
  create: () => {
    const clock = virtualClock();
    const customFieldIds = ['100001', '100002'];
    const rateLimiter = createInMemoryRateLimiter({ clock });
    const crm = createInMemoryCrm({ clock, customFieldIds, rateLimiter, pacedRequestsPerSecond: 3, maxBatchSize: 3 });
    return { crm, clock, customFieldIds, pacing: { rateLimiter, key: 'crm:in-memory-crm:default', requestsPerSecond: 3 } };
  },
  inspect: crmInspector,
});

runCrmConformance({
  name: 'in-memory (no pacing of its own: paced by the suite, batches of 2)',
  create: () => {
    const clock = virtualClock();
    const customFieldIds = ['100001', '100002'];
    return { crm: createInMemoryCrm({ clock, customFieldIds, maxBatchSize: 2 }), clock, customFieldIds };
  },
  inspect: crmInspector,
});

runMessagingConformance({
  name: 'in-memory',
  create: () => {
    const clock = virtualClock();
    const messaging = createInMemoryMessaging({ clock });
    const unreachableRecipient = buildPhoneNumber();
    messaging.markNotOnWhatsApp(unreachableRecipient);
    messaging.setInstanceHealth('down-instance', 'down');
    return {
      messaging,
      clock,
      instance: 'sales',
      unreachableRecipient,
      downInstance: 'down-instance',
      recipient: PhoneNumber.parse('+5511987654321'),
    };
  },
  inspect: {
    deliveries: async ({ messaging }, idempotencyKey) =>
      Promise.resolve(messaging.sent.filter((record) => record.idempotencyKey === idempotencyKey)),
  },
});

/** Rows per table that belong to `tenantId`, from the double's dump. */
function rowCounts(dump: InMemoryStoreDump, tenantId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [table, rows] of Object.entries(dump)) {
    if (table === 'tenants') continue;
    counts[table] = (rows as readonly { readonly tenantId: string | null }[]).filter((row) => row.tenantId === tenantId).length;
  }
  return counts;
}

runRepositoryConformance({
  name: 'in-memory',
  create: () => {
    const clock = virtualClock();
    return { store: createInMemoryStore({ clock }), clock };
  },
  inspect: { rowCounts: async ({ store }, tenantId) => Promise.resolve(rowCounts(store.dump(), tenantId)) },
  capabilities: { isolatedTransactions: true },
});

runSchedulerStoreConformance({
  name: 'in-memory store',
  create: () => {
    const clock = virtualClock();
    const store = createInMemoryStore({ clock });
    return { scheduler: store.scheduledMessages, repositories: store, clock, store };
  },
  inspect: {
    rows: async ({ store }, tenantId) => Promise.resolve(store.dump().scheduledMessages.filter((row) => row.tenantId === tenantId)),
  },
});
