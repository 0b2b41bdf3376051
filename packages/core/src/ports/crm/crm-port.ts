/**
 * # CrmPort v1
 *
 * The CRM that must reflect our leads (Kommo, or the sandbox/in-memory board). Vendor-neutral:
 * stages are the CRM's own `{ pipelineId, statusId }` (the tenant's mapping translates domain
 * stages), custom fields are addressed by the CRM's field id.
 *
 * Contract:
 * - `find*` return `null` when nothing matches; failures throw `SdrError`s (never "not found").
 * - Phone matching is by canonical E.164 (the adapter re-checks what a full-text search returns).
 * - Tags are **added and removed** (`tagsToAdd` / `tagsToRemove`); an update never replaces the
 *   whole tag set, so tags written by humans survive.
 * - `fields` set the given custom fields; `null` clears one. An unknown field id or an unknown
 *   stage is a `ValidationError` naming it (where the provider accepts such writes silently,
 *   reconciliation's read-back catches them).
 * - `addNote` is idempotent on `idempotencyKey`: the same key twice leaves one note and reports
 *   `created: false`. Read-back reports the keys of notes present (`noteKeys`).
 * - `addNotes` appends up to `capabilities.maxBatchSize` notes (of one or several leads) with the
 *   same idempotency per key, in **one request** when `capabilities.batchNotes` is true (Kommo:
 *   one `POST /api/v4/leads/notes`), otherwise one request per note. It reports, in input order,
 *   which notes it created; it succeeds or throws as a whole (a batch naming an unknown lead
 *   writes none of its notes).
 * - `updateLeads` applies up to `capabilities.maxBatchSize` patches in **one request** when
 *   `capabilities.batchUpdate` is true; it succeeds or throws as a whole.
 * - Every method is one request against the provider's rate limit (`capabilities.requestsPerSecond`);
 *   the caller paces itself with a `RateLimiter`. A provider 429 is a `RateLimitedError` with the
 *   provider's `Retry-After`. A suspected block (Kommo: 403 without detail) is a non-retryable
 *   `ProviderError` with `status: 403`: stop and alert.
 */
import type { PhoneNumber } from '../../domain/identity/phone-number.js';
import type { CrmStageRef } from '../../domain/model/tenant.js';
import type { PortHealth, ProviderOptions } from '../health.js';

export type CrmFieldValue = string | number | boolean | null;

export interface CrmLead {
  readonly leadId: string;
  readonly contactId: string | null;
  readonly name: string | null;
  /** E.164 phone of the main contact, when known. */
  readonly phone: string | null;
  readonly stage: CrmStageRef | null;
  readonly fields: Readonly<Record<string, CrmFieldValue>>;
  readonly tags: readonly string[];
}

/** A lead as read back for reconciliation: its state plus the idempotency keys of its notes. */
export interface CrmLeadSnapshot extends CrmLead {
  readonly noteKeys: readonly string[];
}

export interface CrmContact {
  readonly contactId: string;
  readonly name: string | null;
  readonly phone: string;
  readonly email: string | null;
}

export interface CrmLeadPatch {
  readonly leadId: string;
  readonly name?: string;
  readonly stage?: CrmStageRef;
  /** Field id ⇒ value; `null` clears. Only the given fields change. */
  readonly fields?: Readonly<Record<string, CrmFieldValue>>;
  readonly tagsToAdd?: readonly string[];
  readonly tagsToRemove?: readonly string[];
  readonly providerOptions?: ProviderOptions;
}

export interface UpsertCrmLeadInput {
  readonly phone: PhoneNumber;
  readonly name?: string | null;
  readonly email?: string | null;
  /** Applied only when the lead is created. */
  readonly stage?: CrmStageRef;
  readonly fields?: Readonly<Record<string, CrmFieldValue>>;
  readonly tags?: readonly string[];
}

/** One note of an `addNotes` batch. */
export interface CrmNoteInput {
  readonly leadId: string;
  readonly text: string;
  readonly idempotencyKey: string;
}

/** What `addNotes` did with one note: `created: false` when a note with that key already existed. */
export interface CrmNoteResult {
  readonly leadId: string;
  readonly idempotencyKey: string;
  readonly noteId: string;
  readonly created: boolean;
}

export interface CrmPipeline {
  readonly pipelineId: string;
  readonly name: string;
  readonly statuses: readonly { readonly statusId: string; readonly name: string }[];
}

export interface CrmCapabilities {
  /** `updateLeads` sends several patches in one request. */
  readonly batchUpdate: boolean;
  /** Most patches `updateLeads` (and notes `addNotes`) accepts at once (Kommo: 50 by default, configurable). */
  readonly maxBatchSize: number;
  /** `addNotes` sends several notes in one request. */
  readonly batchNotes: boolean;
  /** Requests per second the provider tolerates per account (Kommo: 7). */
  readonly requestsPerSecond: number;
}

export interface CrmPort {
  readonly contractVersion: 'v1';
  readonly provider: string;
  readonly capabilities: CrmCapabilities;

  /** The lead whose main contact has this phone (the most recent one if several), or `null`. */
  findLeadByPhone(phone: PhoneNumber): Promise<CrmLead | null>;

  /** Finds the lead by phone or creates it (with its contact); `created` tells which. */
  upsertLeadByPhone(input: UpsertCrmLeadInput): Promise<{ readonly lead: CrmLead; readonly created: boolean }>;

  findContactByPhone(phone: PhoneNumber): Promise<CrmContact | null>;

  /** Finds the contact by phone or creates it; non-empty new values update a found contact. */
  upsertContactByPhone(input: {
    readonly phone: PhoneNumber;
    readonly name?: string | null;
    readonly email?: string | null;
  }): Promise<{ readonly contact: CrmContact; readonly created: boolean }>;

  /** One lead with its note keys, or `null` when it does not exist. */
  getLead(leadId: string): Promise<CrmLeadSnapshot | null>;

  /** Several leads in as few requests as the provider allows; unknown ids are left out. */
  getLeads(leadIds: readonly string[]): Promise<CrmLeadSnapshot[]>;

  /** Applies one patch. `NotFoundError` for an unknown lead. */
  updateLead(patch: CrmLeadPatch): Promise<void>;

  /** Applies up to `capabilities.maxBatchSize` patches (one request when `batchUpdate`). */
  updateLeads(patches: readonly CrmLeadPatch[]): Promise<void>;

  /** Moves a lead to a pipeline status. `ValidationError` for a status the CRM does not have. */
  moveStage(input: { readonly leadId: string; readonly stage: CrmStageRef }): Promise<void>;

  /** Appends a note, once per `idempotencyKey`. */
  addNote(input: { readonly leadId: string; readonly text: string; readonly idempotencyKey: string }): Promise<{
    readonly noteId: string;
    readonly created: boolean;
  }>;

  /**
   * Appends up to `capabilities.maxBatchSize` notes, once per `idempotencyKey` each (one request
   * when `batchNotes`); results in input order. `ValidationError` beyond the size limit.
   */
  addNotes(notes: readonly CrmNoteInput[]): Promise<CrmNoteResult[]>;

  listPipelines(): Promise<CrmPipeline[]>;

  health(): Promise<PortHealth>;
}
