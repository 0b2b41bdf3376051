/**
 * # Repositories v1 and the unit of work
 *
 * Persistence of the domain, behind interfaces the store (PostgreSQL, PGlite, in-memory)
 * implements.
 *
 * Contract, for every repository:
 * - **Tenant isolation.** Every method takes the `tenantId` (or an entity carrying it) and never
 *   reads or writes another tenant's rows: an id of another tenant is "not found".
 * - `get`/`find*` return `null` when nothing matches; failures throw `SdrError`s.
 * - `create` of an entity whose unique key exists throws `DuplicateError`.
 * - `update` is **optimistic**: it succeeds only when the stored `version` equals the given
 *   entity's `version`, stores `version + 1` and returns the stored entity; otherwise it throws
 *   `VersionConflictError` (or `NotFoundError` when the entity is gone).
 * - Instants are stored and returned as UTC `Date`s with millisecond precision.
 * - `Store.transaction(fn)` runs `fn` in one atomic unit: everything it wrote through the
 *   repositories it was given is committed together, or — when `fn` throws — none of it is.
 *   This is what makes an outbox entry and the change it describes inseparable.
 *
 * Invariants the store itself enforces (not only the code calling it):
 * - no two `scheduled` appointments overlap on one calendar of a tenant (`SlotUnavailableError`);
 * - one **active** billing cycle per `externalBillingId` and tenant (`DuplicateError`);
 * - one lead and one contact per canonical phone and tenant (`DuplicateError`);
 * - one message per provider message id, tenant and channel (append reports `created: false`).
 */
import type { PhoneNumber } from '../../domain/identity/phone-number.js';
import type { Appointment, AppointmentStatus } from '../../domain/model/appointment.js';
import type { BillingCycle, BillingCycleStatus, Contact } from '../../domain/model/billing.js';
import type { Lead, Stage } from '../../domain/model/lead.js';
import type { Channel, Message } from '../../domain/model/message.js';
import type { Alert, NewOutboxEntryInput, OutboxEntry, OutboxStatus, OutboxTopic, SyncState } from '../../domain/model/outbox.js';
import type { StoredError } from '../../domain/model/scheduled-message.js';
import type { Template } from '../../domain/model/template.js';
import type { Tenant } from '../../domain/model/tenant.js';
import type { SchedulerStore } from '../scheduler/scheduler-store.js';
import type { ApiKeyRepository, IdempotencyKeyRepository, InboundDedupeRepository, OAuthTokenRepository } from './access-repositories.js';

/** A page of results; pass `nextCursor` back to get the next one (`null`: no more). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** Opaque cursor from a previous page. An invalid cursor is a `ValidationError`. */
  readonly cursor?: string | null;
  /** Page size, 1–500 (default 50). */
  readonly limit?: number;
}

export interface TenantRepository {
  get(id: string): Promise<Tenant | null>;
  create(tenant: Tenant): Promise<Tenant>;
  update(tenant: Tenant): Promise<Tenant>;
  list(page?: PageRequest): Promise<Page<Tenant>>;
}

export interface LeadRepository {
  get(tenantId: string, id: string): Promise<Lead | null>;
  findByPhone(tenantId: string, phone: PhoneNumber): Promise<Lead | null>;
  findByWhatsappLid(tenantId: string, lid: string): Promise<Lead | null>;
  findByCrmLeadId(tenantId: string, crmLeadId: string): Promise<Lead | null>;
  /** `DuplicateError` when the tenant already has a lead with this phone. */
  create(lead: Lead): Promise<Lead>;
  update(lead: Lead): Promise<Lead>;
  /** Newest first (by `createdAt`, then id). */
  list(tenantId: string, page?: PageRequest & { readonly stage?: Stage }): Promise<Page<Lead>>;
  /** Leads whose `updatedAt` is in `[from, to)`, oldest first: the reconciliation window. */
  listUpdatedBetween(tenantId: string, from: Date, to: Date, page?: PageRequest): Promise<Page<Lead>>;
}

export interface MessageRepository {
  /**
   * Appends a message. When `providerMessageId` is set and a message with the same id, tenant
   * and channel exists, nothing is written and the stored one is returned with `created: false`.
   */
  append(message: Message): Promise<{ readonly message: Message; readonly created: boolean }>;
  get(tenantId: string, id: string): Promise<Message | null>;
  findByProviderMessageId(tenantId: string, channel: Channel, providerMessageId: string): Promise<Message | null>;
  /** The latest `limit` messages of a lead, in chronological order. */
  listByLead(tenantId: string, leadId: string, options?: { readonly limit?: number; readonly before?: Date }): Promise<Message[]>;
}

export interface AppointmentRepository {
  get(tenantId: string, id: string): Promise<Appointment | null>;
  /** `SlotUnavailableError` when a `scheduled` appointment on the same calendar overlaps. */
  create(appointment: Appointment): Promise<Appointment>;
  /** Optimistic update; the overlap rule applies to the new state too. */
  update(appointment: Appointment): Promise<Appointment>;
  /**
   * Deletes a hold — a `scheduled` appointment without a calendar event yet, which `book` writes
   * before it calls the calendar — and nothing else: `false` when there is no such row.
   */
  releaseHold(tenantId: string, id: string): Promise<boolean>;
  listByLead(tenantId: string, leadId: string, options?: { readonly statuses?: readonly AppointmentStatus[] }): Promise<Appointment[]>;
  /** Appointments of a calendar with the given statuses (default `scheduled`) overlapping `[from, to)`. */
  listInRange(
    tenantId: string,
    calendarId: string,
    from: Date,
    to: Date,
    options?: { readonly statuses?: readonly AppointmentStatus[] },
  ): Promise<Appointment[]>;
}

export interface ContactRepository {
  get(tenantId: string, id: string): Promise<Contact | null>;
  findByPhone(tenantId: string, phone: PhoneNumber): Promise<Contact | null>;
  /** `DuplicateError` when the tenant already has a contact with this phone. */
  create(contact: Contact): Promise<Contact>;
  update(contact: Contact): Promise<Contact>;
}

export interface BillingCycleRepository {
  get(tenantId: string, id: string): Promise<BillingCycle | null>;
  findActiveByExternalId(tenantId: string, externalBillingId: string): Promise<BillingCycle | null>;
  /** `DuplicateError` when an **active** cycle of the tenant has this `externalBillingId`. */
  create(cycle: BillingCycle): Promise<BillingCycle>;
  update(cycle: BillingCycle): Promise<BillingCycle>;
  list(
    tenantId: string,
    page?: PageRequest & { readonly status?: BillingCycleStatus; readonly contactId?: string },
  ): Promise<Page<BillingCycle>>;
}

export interface TemplateRepository {
  get(tenantId: string, key: string, locale: string): Promise<Template | null>;
  /** Inserts, or updates the template with the same key and locale (optimistic on `version`). */
  save(template: Template): Promise<Template>;
  list(tenantId: string): Promise<Template[]>;
  delete(tenantId: string, key: string, locale: string): Promise<boolean>;
}

/**
 * Outbox: entries are applied per aggregate, in `sequence` order.
 * `claim` hands out, for up to `maxAggregates` aggregates of one topic, **all** their pending
 * entries that are available (`availableAt <= now`), marking them `processing` under a lease.
 * An aggregate is not handed out while another worker holds a live lease on one of its entries,
 * nor while one of its entries waits for a retry (`availableAt > now`) — so per-aggregate order holds.
 */
export interface OutboxRepository {
  append(entry: NewOutboxEntryInput): Promise<OutboxEntry>;
  claim(input: {
    readonly topic: OutboxTopic;
    readonly now: Date;
    readonly workerId: string;
    readonly leaseMs: number;
    readonly maxAggregates: number;
  }): Promise<OutboxEntry[]>;
  /** Marks entries this worker holds as `done`; returns how many. */
  complete(input: { readonly ids: readonly string[]; readonly workerId: string; readonly now: Date }): Promise<number>;
  /** Returns entries this worker holds to `pending` at `retryAt`, or to `dead` when `null`. Counts an attempt. */
  fail(input: {
    readonly ids: readonly string[];
    readonly workerId: string;
    readonly now: Date;
    readonly error: StoredError;
    readonly retryAt: Date | null;
  }): Promise<number>;
  /** `processing` entries whose lease expired go back to `pending`. */
  recoverStuck(input: { readonly now: Date }): Promise<number>;
  list(filter: {
    readonly tenantId: string;
    readonly topic?: OutboxTopic;
    readonly aggregateId?: string;
    readonly statuses?: readonly OutboxStatus[];
    readonly limit?: number;
  }): Promise<OutboxEntry[]>;
  /** Metrics: pending entries and the oldest one's `createdAt` (sync lag). */
  stats(input: { readonly topic: OutboxTopic; readonly tenantId?: string }): Promise<{
    readonly pending: number;
    readonly dead: number;
    readonly oldestPendingAt: Date | null;
  }>;
}

export interface SyncStateRepository {
  get(tenantId: string, leadId: string): Promise<SyncState | null>;
  /** Inserts (version 0 expected) or updates optimistically. */
  save(state: SyncState): Promise<SyncState>;
}

export interface AlertRepository {
  /** Opens an alert, or refreshes the open one with the same tenant, kind and key. */
  raise(
    alert: Omit<Alert, 'id' | 'raisedAt' | 'lastSeenAt' | 'resolvedAt'> & { readonly now: Date },
  ): Promise<{ readonly alert: Alert; readonly opened: boolean }>;
  /** Resolves the open alert of that tenant, kind and key; `null` when none was open. */
  resolve(input: {
    readonly tenantId: string | null;
    readonly kind: string;
    readonly key: string;
    readonly now: Date;
  }): Promise<Alert | null>;
  /** Open alerts of a tenant (and process-wide ones when `includeGlobal`), newest first. */
  listOpen(input: { readonly tenantId: string | null; readonly includeGlobal?: boolean }): Promise<Alert[]>;
}

/** Every repository, as a transaction sees them. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly leads: LeadRepository;
  readonly messages: MessageRepository;
  readonly appointments: AppointmentRepository;
  readonly contacts: ContactRepository;
  readonly billingCycles: BillingCycleRepository;
  readonly templates: TemplateRepository;
  readonly scheduledMessages: SchedulerStore;
  readonly outbox: OutboxRepository;
  readonly syncStates: SyncStateRepository;
  readonly alerts: AlertRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly oauthTokens: OAuthTokenRepository;
  readonly inboundDedupe: InboundDedupeRepository;
  readonly idempotencyKeys: IdempotencyKeyRepository;
}

/** The store: the repositories outside a transaction, and the unit of work. */
export interface Store extends Repositories {
  readonly contractVersion: 'v1';
  readonly provider: string;
  /**
   * Runs `fn` atomically. Commit when it resolves; roll everything back when it throws (the
   * error is rethrown). Do not call external systems inside: keep units short.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}
