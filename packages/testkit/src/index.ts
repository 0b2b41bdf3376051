/**
 * `@sdr/testkit`: the conformance suites every implementation of an `@sdr/core` port runs —
 * the in-memory doubles of `@sdr/core/testing` as much as the real adapters.
 *
 * Each `run…Conformance` registers one vitest `describe` block; call it at the top level of a
 * test file:
 *
 * ```ts
 * import { runLockConformance } from '@sdr/testkit';
 * import { createRedisLock } from '@sdr/adapter-redis';
 *
 * runLockConformance({ name: 'redis', create: () => ({ lock: createRedisLock({ redis }) }) });
 * ```
 *
 * `create` is called once per test and returns the implementation plus what the suite needs (a
 * clock, the calendar to write to, …). Tests never share a subject and arrange their own data.
 * `inspect` is an optional side door (raw rows, recorded requests) that lets a suite prove what
 * the port alone cannot; without it those checks are skipped. A test that does not apply to an
 * implementation (a capability it does not declare) is skipped with the reason beside its name.
 * @packageDocumentation
 */

export {
  abortedCall,
  arrange,
  createTimeControl,
  expectAborted,
  expectSdrError,
  isAdvanceableClock,
  settleAll,
  type AdvanceableClock,
  type ConformanceOptions,
  type SdrErrorClass,
  type SubjectBase,
  type TimeControl,
} from './harness.js';

export { createPacer, pacedCrm, type Pacer } from './pacing.js';

export {
  buildAlertInput,
  buildApiKey,
  buildAppointment,
  buildBillingCycle,
  buildCalendarEventId,
  buildContact,
  buildLead,
  buildMessage,
  buildOAuthToken,
  buildOutboxEntryInput,
  buildPhoneNumber,
  buildScheduledMessageInput,
  buildSyncState,
  buildTemplate,
  buildTenant,
  localDateFromToday,
  newId,
  withoutBrazilianNinthDigit,
  type Overrides,
} from './fixtures.js';

export { runCalendarConformance, type CalendarConformanceOptions, type CalendarInspector, type CalendarSubject } from './calendar.js';
export { runCrmConformance, type CrmConformanceOptions, type CrmInspector, type CrmSubject, type CrmSuiteCapabilities } from './crm.js';
export { runMessagingConformance, type MessagingConformanceOptions, type MessagingInspector, type MessagingSubject } from './messaging.js';
export { runLockConformance, type LockConformanceOptions, type LockInspector, type LockSubject, type LockTiming } from './lock.js';
export {
  runSchedulerStoreConformance,
  type SchedulerConformanceOptions,
  type SchedulerInspector,
  type SchedulerSubject,
} from './scheduler.js';
export {
  runRepositoryConformance,
  type RepositoryConformanceOptions,
  type StoreCapabilities,
  type StoreInspector,
  type StoreSubject,
} from './repository.js';
export { runRateLimiterConformance, type RateLimiterConformanceOptions, type RateLimiterSubject } from './rate-limiter.js';
export { runBlobStoreConformance, type BlobStoreConformanceOptions, type BlobStoreInspector, type BlobStoreSubject } from './blob-store.js';
export { runCredentialStoreConformance, type CredentialStoreConformanceOptions, type CredentialStoreSubject } from './credential-store.js';
