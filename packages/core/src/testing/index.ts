/**
 * `@sdr/core/testing`: in-memory implementations of every port, and fault injection.
 *
 * They are the doubles the domain tests run on, and they pass the same `@sdr/testkit`
 * conformance suites as the real adapters — so a test that passes on them means something.
 * Each factory returns the port plus inspection helpers (request logs, board snapshots, raw
 * rows) for checks through a side door.
 * @packageDocumentation
 */
export {
  createInMemoryCalendar,
  inMemoryCalendarProvider,
  type InMemoryCalendar,
  type InMemoryCalendarEvent,
  type InMemoryCalendarOptions,
} from './calendar/in-memory-calendar.js';
export { createInMemoryCrm, inMemoryCrmProvider, type InMemoryCrm, type InMemoryCrmOptions } from './crm/in-memory-crm.js';
export type { InMemoryCrmNote } from './crm/crm-board.js';
export type { CrmRequestRecord } from './crm/crm-request-gate.js';
export { crmLostStatusId, crmWonStatusId, defaultCrmPipeline } from './crm/default-pipelines.js';
export {
  createInMemoryMessaging,
  inMemoryMessagingProvider,
  type InMemoryMessaging,
  type InMemoryMessagingOptions,
  type InstanceHealth,
  type SentMessageRecord,
} from './messaging/in-memory-messaging.js';
export { createInMemoryLock, lockPollIntervalMs, type InMemoryLock, type InMemoryLockOptions } from '../ports/lock/in-memory-lock.js';
export {
  createInMemoryStore,
  type InMemoryStore,
  type InMemoryStoreDump,
  type InMemoryStoreOptions,
} from '../memory/store/in-memory-store.js';
export type { IdempotencyRow, InboundEventRow } from '../memory/store/tables.js';
export { createInMemoryBlobStore, type InMemoryBlobStore } from './blob/in-memory-blob-store.js';
export {
  createInMemoryCredentialStore,
  inMemoryCredentialStoreProvider,
  type InMemoryCredentialStore,
  type InMemoryCredentialStoreOptions,
} from './credentials/in-memory-credential-store.js';
export {
  createInMemoryRateLimiter,
  type InMemoryRateLimiter,
  type InMemoryRateLimiterOptions,
} from '../ports/rate-limiter/in-memory-rate-limiter.js';
export {
  createScriptedConversationModel,
  type ConversationModelInput,
  type ScriptedConversationModel,
  type ScriptedReply,
  type ScriptedStep,
} from './conversation-model/scripted-conversation-model.js';
export { awaitOnVirtualClock } from './clock/await-on-virtual-clock.js';
export {
  injectFaults,
  type FaultCall,
  type FaultCallOutcome,
  type FaultController,
  type FaultError,
  type MethodName,
} from './faults/inject-faults.js';
export {
  percentile,
  runBookingContention,
  type BookingContentionOptions,
  type BookingContentionResult,
  type BookingContentionScenario,
} from './booking/booking-contention.js';
