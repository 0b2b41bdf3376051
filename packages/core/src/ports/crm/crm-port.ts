// The CrmPort v1 contract is documented on the `CrmPort` interface below, where the API reference shows it.
import type { PhoneNumber } from '../../domain/identity/phone-number.js';
import type { CrmStageRef } from '../../domain/model/tenant.js';
import type { CallOptions } from '../call-options.js';
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

/** One lead's change in an `updateLeads` batch. Absent parts do not change. */
export interface CrmLeadPatch {
  readonly leadId: string;
  readonly name?: string;
  /** Moves the lead to this pipeline status. */
  readonly stage?: CrmStageRef;
  /** Field id ⇒ value; `null` clears. Only the given fields change. */
  readonly fields?: Readonly<Record<string, CrmFieldValue>>;
  readonly tagsToAdd?: readonly string[];
  readonly tagsToRemove?: readonly string[];
  readonly providerOptions?: ProviderOptions;
}

/** One lead of an `upsertLeads` batch, found (or created) by the phone of its main contact. */
export interface UpsertCrmLeadInput {
  readonly phone: PhoneNumber;
  readonly name?: string | null;
  readonly email?: string | null;
  /** Applied only when the lead is created. */
  readonly stage?: CrmStageRef;
  readonly fields?: Readonly<Record<string, CrmFieldValue>>;
  /** Added to the lead's tags (found or created); never removes one. */
  readonly tags?: readonly string[];
}

/** One contact of an `upsertContacts` batch, found (or created) by phone. */
export interface UpsertCrmContactInput {
  readonly phone: PhoneNumber;
  /** Applied when non-empty (a found contact keeps its name otherwise). */
  readonly name?: string | null;
  /** Applied when non-empty (a found contact keeps its e-mail otherwise). */
  readonly email?: string | null;
}

/** What `upsertLeads` did with one input: `created: false` when the lead was found. */
export interface CrmUpsertedLead {
  readonly lead: CrmLead;
  readonly created: boolean;
}

/** What `upsertContacts` did with one input: `created: false` when the contact was found. */
export interface CrmUpsertedContact {
  readonly contact: CrmContact;
  readonly created: boolean;
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

/** What a CRM implementation declares; callers size batches and expectations by it. */
export interface CrmCapabilities {
  /** `updateLeads` sends its whole batch in **one request** (Kommo: `PATCH /api/v4/leads` with an array). */
  readonly batchUpdate: boolean;
  /** Most items any batch method accepts at once (Kommo: 50 by default, configurable). */
  readonly maxBatchSize: number;
  /** `addNotes` sends its whole batch in **one request** (Kommo: `POST /api/v4/leads/notes`). */
  readonly batchNotes: boolean;
  /** Requests per second the provider tolerates per account (Kommo: 7); the implementation paces itself at or under it. */
  readonly requestsPerSecond: number;
  /**
   * The longest tag the CRM accepts, in Unicode code points (`codePointLength`: an emoji counts
   * one), as the domain counts its own limit (`maxTagLength`). The sync never sends a longer tag:
   * it reports it as refused and syncs the lead's other changes. Absent: the domain's limit.
   */
  readonly maxTagLength?: number;
}

/**
 * The CRM that must reflect our leads (Kommo, or the sandbox/in-memory board). Vendor-neutral:
 * stages are the CRM's own `{ pipelineId, statusId }` (the tenant's mapping translates domain
 * stages), custom fields are addressed by the CRM's field id.
 *
 * **Batch first.** Every write, and the read-back, takes a list: one way per operation, so that
 * a caller never has to choose between a single and a batch form and an adapter implements each
 * operation once. The single forms are helpers of the core (`crm-helpers.ts`: `upsertCrmLead`,
 * `updateCrmLead`, `moveCrmStage`, `addCrmNote`, …), each one batch call of one item.
 *
 * Contract (each method repeats its part):
 * - Every batch method accepts up to `capabilities.maxBatchSize` items (more is a
 *   `ValidationError` naming the list, and nothing is sent), and **succeeds or throws as a
 *   whole**: every item is checked before anything is written, so an invalid item (an unknown
 *   lead, stage or field) writes none of the batch. An empty batch sends nothing and resolves
 *   empty. Results come back in input order. Where the provider needs several requests for one
 *   batch (`batchUpdate` / `batchNotes` false, a Kommo upsert's searches and writes), a transport
 *   failure after the first write may leave part of the batch applied; every write is idempotent
 *   (tags added and removed, fields set, notes by key, upserts by phone), so repeating the batch
 *   converges — which is what the caller's retry does.
 * - `find*` return `null` when nothing matches; failures throw `SdrError`s (never "not found").
 *   Phone matching is by canonical E.164 (an adapter re-checks what a full-text search returns).
 * - Tags are **added and removed** (`tagsToAdd` / `tagsToRemove`); nothing ever replaces the
 *   whole tag set, so tags written by people survive.
 * - `fields` set the given custom fields; `null` clears one. An unknown field id or an unknown
 *   stage is a `ValidationError` naming it (where the provider accepts such writes silently,
 *   reconciliation's read-back catches them).
 * - Notes are written once per `idempotencyKey`: the same key again leaves one note and reports
 *   `created: false`. Read-back reports the keys of the notes present (`noteKeys`).
 * - **Pacing is the implementation's.** An implementation paces every request it sends to the
 *   vendor — token refreshes, pipeline look-ups and searches included — with the `RateLimiter` it
 *   was created with: one token per request from the bucket of the vendor account, at
 *   `capabilities.requestsPerSecond` (or lower, when configured so) with a burst of one
 *   (`createRequestPacer`). Callers never take tokens themselves.
 * - A provider 429 that pacing did not prevent (someone else on the account) is a
 *   `RateLimitedError` with the provider's `Retry-After`; the caller waits it out. A suspected
 *   block (Kommo: 403 without detail) is a non-retryable `ProviderError` with `status: 403`: stop
 *   and alert.
 * - Every method takes `CallOptions` last. An aborted signal — before the call or while it waits
 *   on the rate limiter — rejects with an `AbortedError` and sends nothing more.
 */
export interface CrmPort {
  readonly contractVersion: 'v1';
  readonly provider: string;
  readonly capabilities: CrmCapabilities;

  /** The lead whose main contact has this phone (the most recent one if several), or `null`. */
  findLeadByPhone(phone: PhoneNumber, options?: CallOptions): Promise<CrmLead | null>;

  /** The contact with this phone, or `null`. */
  findContactByPhone(phone: PhoneNumber, options?: CallOptions): Promise<CrmContact | null>;

  /**
   * Finds each lead by the phone of its main contact, or creates it with its contact; `created`
   * tells which, in input order. A found lead gets the non-empty name, the given fields and the
   * tags added (never its stage: `stage` applies to a created lead only). Two inputs with one
   * phone are one lead (the second reports `created: false`). An unknown stage or field, or an
   * empty tag, is a `ValidationError` naming it (`inputs.<index>.stage` in a batch of several),
   * and nothing of the batch is written.
   */
  upsertLeads(inputs: readonly UpsertCrmLeadInput[], options?: CallOptions): Promise<CrmUpsertedLead[]>;

  /**
   * Finds each contact by phone, or creates it; `created` tells which, in input order. Non-empty
   * new values (name, e-mail) update a found contact; empty ones leave it alone.
   */
  upsertContacts(inputs: readonly UpsertCrmContactInput[], options?: CallOptions): Promise<CrmUpsertedContact[]>;

  /** The leads with these ids, each once, with their note keys; unknown ids are left out (never an error). */
  getLeads(leadIds: readonly string[], options?: CallOptions): Promise<CrmLeadSnapshot[]>;

  /**
   * Applies every patch — names, stage moves (`stage`), fields (`null` clears), tags added and
   * removed — in one request when `capabilities.batchUpdate`. An unknown lead is a
   * `NotFoundError`; an unknown stage or field, or a tag both added and removed, a
   * `ValidationError` naming it (`patches.<index>.stage` in a batch of several). Either way no
   * patch of the batch is applied.
   */
  updateLeads(patches: readonly CrmLeadPatch[], options?: CallOptions): Promise<void>;

  /**
   * Appends the notes (of one lead or several), each once per `idempotencyKey`, in one request
   * when `capabilities.batchNotes`; reports in input order which it created. A batch naming an
   * unknown lead throws and writes none of its notes.
   */
  addNotes(notes: readonly CrmNoteInput[], options?: CallOptions): Promise<CrmNoteResult[]>;

  /** The account's pipelines with their statuses (Kommo: 142 won and 143 lost in every pipeline). */
  listPipelines(options?: CallOptions): Promise<CrmPipeline[]>;

  /** Whether the CRM can be used now; reports `down` (or `degraded`) rather than throwing — except an `AbortedError` for an aborted signal. */
  health(options?: CallOptions): Promise<PortHealth>;
}
