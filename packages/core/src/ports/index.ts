export type { PortHealth, ProviderOptions } from './health.js';
export { abortedError, sleepUnlessAborted, throwIfAborted, unlessAborted, type CallOptions, type CallSite } from './call-options.js';
export { noopLogger, type Logger } from './logger/logger.js';
export { VirtualClock, systemClock, type Clock } from './clock/clock.js';
export type {
  BusyInterval,
  CalendarCapabilities,
  CalendarEvent,
  CalendarEventRef,
  CalendarPort,
  CreateCalendarEventInput,
  UpdateCalendarEventInput,
} from './calendar/calendar-port.js';
export {
  CalendarSyncTokenExpiredError,
  type CalendarChange,
  type CalendarChangeSet,
  type CalendarChangeTracking,
  type CalendarWatchChannel,
  type CalendarWatchInput,
} from './calendar/calendar-changes.js';
export type {
  CrmCapabilities,
  CrmContact,
  CrmFieldValue,
  CrmLead,
  CrmLeadPatch,
  CrmLeadSnapshot,
  CrmNoteInput,
  CrmNoteResult,
  CrmPipeline,
  CrmPort,
  CrmUpsertedContact,
  CrmUpsertedLead,
  UpsertCrmContactInput,
  UpsertCrmLeadInput,
} from './crm/crm-port.js';
export { addCrmNote, getCrmLead, moveCrmStage, updateCrmLead, upsertCrmContact, upsertCrmLead } from './crm/crm-helpers.js';
export type {
  MessagingCapabilities,
  MessagingPort,
  SendAttempt,
  SendMediaInput,
  SendResult,
  SendTextInput,
} from './messaging/messaging-port.js';
export { withLock, type AcquireOptions, type Lease, type LockPort } from './lock/lock-port.js';
export { createInMemoryLock, lockPollIntervalMs, type InMemoryLock, type InMemoryLockOptions } from './lock/in-memory-lock.js';
export type { ClaimDueInput, ScheduledMessageFilter, SchedulerStore } from './scheduler/scheduler-store.js';
export type {
  AlertRepository,
  AppointmentRepository,
  BillingCycleRepository,
  ContactRepository,
  LeadRepository,
  MessageRepository,
  OutboxRepository,
  Page,
  PageRequest,
  Repositories,
  Store,
  SyncStateRepository,
  TemplateRepository,
  TenantRepository,
} from './repositories/repositories.js';
export {
  decodePageCursor,
  defaultPageSize,
  encodePageCursor,
  maxPageSize,
  pageLimit,
  type PageSortKey,
} from './repositories/page-cursor.js';
export type {
  ApiKeyRepository,
  IdempotencyKeyRepository,
  InboundDedupeRepository,
  OAuthTokenRepository,
} from './repositories/access-repositories.js';
export type { BlobStore, StoredBlob } from './blob/blob-store.js';
export type { CredentialStore, StoredCredential } from './credentials/credential-store.js';
export { assertCredentialKey, assertExpectedVersion, credentialValueCopy } from './credentials/credential-input.js';
export { refreshCredential, type CredentialValue, type RefreshCredentialInput } from './credentials/refresh-credential.js';
export { acquireRate, type RateDecision, type RateLimiter, type RateRule } from './rate-limiter/rate-limiter.js';
export {
  createInMemoryRateLimiter,
  type InMemoryRateLimiter,
  type InMemoryRateLimiterOptions,
} from './rate-limiter/in-memory-rate-limiter.js';
export { createRequestPacer, pacingRule, type RequestPacer, type RequestPacerOptions } from './rate-limiter/request-pacer.js';
export type { ConversationAction, ConversationModel } from './conversation-model/conversation-model.js';
export type {
  SpeechAudioFormat,
  SpeechToText,
  SpeechToTextEvent,
  SpeechToTextOpenOptions,
  SpeechToTextStream,
} from './speech/speech-to-text.js';
export type { TextToSpeech, TextToSpeechEvent, TextToSpeechOpenOptions, TextToSpeechStream } from './speech/text-to-speech.js';
