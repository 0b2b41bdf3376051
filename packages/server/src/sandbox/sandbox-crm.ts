/**
 * `createSandboxCrm`: the sandbox CRM board of the embedded default — a `CrmPort` over the
 * server's tables, one **account** per tenant (the server gives each tenant its own, its id), so
 * the CRM sync of the worker and the board the API shows are the same rows.
 *
 * It honours the port's contract like Kommo would: leads found by canonical E.164, tags added and
 * removed (never replaced), `null` clearing a field, unknown fields and statuses refused by name,
 * notes once per idempotency key, and batches (up to 50) that succeed or fail as a whole — every
 * write runs in one transaction after every check has passed.
 *
 * Created with a `rateLimiter`, it paces itself as the port's contract asks of a vendor adapter:
 * each call is one request against the account's bucket (`crm:sandbox:<account>`, burst one, at
 * 7 per second or the lower `pacedRequestsPerSecond`), and a wait honours the call's signal. A
 * call whose signal has aborted before its statements start rejects with an `AbortedError`.
 */
import {
  NotFoundError,
  SdrError,
  ValidationError,
  createRequestPacer,
  maxTagLength,
  throwIfAborted,
  type CallOptions,
  type Clock,
  type CrmContact,
  type CrmLeadPatch,
  type CrmLeadSnapshot,
  type CrmNoteInput,
  type CrmNoteResult,
  type CrmPort,
  type CrmStageRef,
  type CrmUpsertedLead,
  type PhoneNumber,
  type RateLimiter,
  type RequestPacer,
  type UpsertCrmContactInput,
  type UpsertCrmLeadInput,
} from '@sdr/core';
import type { Database, Row, SqlExecutor } from '@sdr/store-postgres';
import { boardQuery, leadSelect, toSnapshot, type SandboxBoardLead } from './sandbox-crm-board.js';
import {
  assertBatchSize,
  assertFields,
  assertPatch,
  assertStage,
  assertTags,
  nextFields,
  nextTags,
  sandboxCustomFieldIds,
  sandboxDefaultStage,
  sandboxPipeline,
} from './sandbox-crm-pipeline.js';
import { instant, isNumericId, sandboxTable, textOrNull } from './sandbox-sql.js';

/** The `provider` name of the sandbox CRM. */
export const sandboxCrmProvider = 'sandbox';

/** Options of `createSandboxCrm`. */
export interface SandboxCrmOptions {
  readonly db: Database;
  /** The server schema holding the sandbox tables (default `sdr_server`). */
  readonly schema?: string;
  readonly clock: Clock;
  /** The account this port reads and writes (the server uses the tenant id). */
  readonly account: string;
  /** Custom field ids the account has (default `sandboxCustomFieldIds`); any other is refused. */
  readonly customFieldIds?: readonly string[];
  /** Paces every call with this limiter (one token each, burst one); without it, calls are not paced. */
  readonly rateLimiter?: RateLimiter;
  /** Pace lower than the 7 requests per second the sandbox declares (never higher). */
  readonly pacedRequestsPerSecond?: number;
}

/** The sandbox `CrmPort`, plus the board the sandbox routes show. */
export interface SandboxCrm extends CrmPort {
  readonly account: string;
  /** The account's leads, most recently changed first, with stage names and notes (newest first). */
  board(input: { readonly limit: number }): Promise<SandboxBoardLead[]>;
}

const maxBatchSize = 50;
const requestsPerSecond = 7;

/** Creates the CRM port of one sandbox account over the server's tables (migrated by `migrateServer`). */
export function createSandboxCrm(options: SandboxCrmOptions): SandboxCrm {
  const { db, clock, account } = options;
  if (account.trim() === '' || account.length > 200) throw ValidationError.forField('account', 'must be 1 to 200 characters');
  const knownFieldIds: ReadonlySet<string> = new Set(options.customFieldIds ?? sandboxCustomFieldIds);
  const tables = {
    contacts: sandboxTable(options.schema, 'sandbox_crm_contacts'),
    leads: sandboxTable(options.schema, 'sandbox_crm_leads'),
    notes: sandboxTable(options.schema, 'sandbox_crm_notes'),
  };
  const selectLeads = leadSelect(tables);

  const findLead = async (exec: SqlExecutor, phone: PhoneNumber): Promise<CrmLeadSnapshot | null> => {
    const [row] = await exec.query(
      'sandbox.crm.findLeadByPhone',
      `${selectLeads} WHERE l.account = $1 AND c.phone = $2 ORDER BY l.lead_id DESC LIMIT 1`,
      [account, phone.e164],
    );
    return row ? toSnapshot(row) : null;
  };

  const readLeads = async (exec: SqlExecutor, leadIds: readonly string[], forUpdate: boolean): Promise<Map<string, CrmLeadSnapshot>> => {
    const ids = [...new Set(leadIds)].filter(isNumericId);
    if (ids.length === 0) return new Map();
    if (forUpdate) {
      await exec.query(
        'sandbox.crm.lockLeads',
        `SELECT lead_id FROM ${tables.leads} WHERE account = $1 AND lead_id IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint) ORDER BY lead_id FOR UPDATE`,
        [account, JSON.stringify(ids)],
      );
    }
    const rows = await exec.query(
      'sandbox.crm.getLeads',
      `${selectLeads} WHERE l.account = $1 AND l.lead_id IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)`,
      [account, JSON.stringify(ids)],
    );
    return new Map(rows.map((row) => [String(row['lead_id']), toSnapshot(row)]));
  };

  const pacer: RequestPacer | null =
    options.rateLimiter === undefined
      ? null
      : createRequestPacer({
          rateLimiter: options.rateLimiter,
          clock,
          key: `crm:${sandboxCrmProvider}:${account}`,
          maxRequestsPerSecond: requestsPerSecond,
          ...(options.pacedRequestsPerSecond === undefined ? {} : { requestsPerSecond: options.pacedRequestsPerSecond }),
          provider: sandboxCrmProvider,
        });

  /** The start of every call: nothing happens once the signal aborted; then the call's paced request. */
  const begin = async (operation: string, callOptions: CallOptions | undefined): Promise<void> => {
    throwIfAborted(callOptions, { provider: sandboxCrmProvider, operation });
    await pacer?.next(operation, callOptions);
  };

  const assertContact = (input: UpsertCrmContactInput, prefix: string): void => {
    if (input.name && input.name.length > 255) throw ValidationError.forField(`${prefix}name`, 'must be at most 255 characters');
    if (input.email && input.email.length > 254) throw ValidationError.forField(`${prefix}email`, 'must be at most 254 characters');
  };

  const upsertContact = async (exec: SqlExecutor, input: UpsertCrmContactInput): Promise<{ contact: CrmContact; created: boolean }> => {
    const now = instant(clock.now());
    // DO UPDATE (not DO NOTHING) locks the row: concurrent upserts of one phone take turns.
    const [row] = await exec.write(
      'sandbox.crm.upsertContact',
      `INSERT INTO ${tables.contacts} AS c (account, phone, name, email, created_at, updated_at)
       VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5::timestamptz, $5::timestamptz)
       ON CONFLICT (account, phone) DO UPDATE SET
         name = COALESCE(NULLIF($3, ''), c.name), email = COALESCE(NULLIF($4, ''), c.email), updated_at = $5::timestamptz
       RETURNING c.*, (c.xmax::text = '0') AS created`,
      [account, input.phone.e164, input.name ?? null, input.email ?? null, now],
    );
    if (!row) throw new SdrError('the sandbox CRM did not return the contact it wrote');
    return { contact: toContact(row), created: row['created'] === true };
  };

  const writeLead = async (exec: SqlExecutor, lead: CrmLeadSnapshot): Promise<void> => {
    await exec.write(
      'sandbox.crm.writeLead',
      `UPDATE ${tables.leads} SET name = $3, pipeline_id = $4, status_id = $5, fields = $6::jsonb, tags = $7::jsonb, updated_at = $8::timestamptz
       WHERE account = $1 AND lead_id = $2`,
      [
        account,
        lead.leadId,
        lead.name,
        lead.stage?.pipelineId ?? sandboxDefaultStage.pipelineId,
        lead.stage?.statusId ?? sandboxDefaultStage.statusId,
        JSON.stringify(lead.fields),
        JSON.stringify(lead.tags),
        instant(clock.now()),
      ],
    );
  };

  /** Finds the lead by phone or creates it (with its contact), within `tx`; the input was checked. */
  const upsertLead = async (tx: SqlExecutor, input: UpsertCrmLeadInput): Promise<CrmUpsertedLead> => {
    const { contact } = await upsertContact(tx, { phone: input.phone, name: input.name ?? null, email: input.email ?? null });
    const existing = await findLead(tx, input.phone);
    if (existing !== null) {
      // Found: non-empty values are applied, tags only added; the stage is left alone.
      const updated: CrmLeadSnapshot = {
        ...existing,
        name: input.name ? input.name : existing.name,
        fields: nextFields(existing.fields, input.fields),
        tags: nextTags(existing.tags, input.tags, undefined),
      };
      await writeLead(tx, updated);
      return { lead: withoutNoteKeys(updated), created: false };
    }
    const stage: CrmStageRef = input.stage ?? sandboxDefaultStage;
    const now = instant(clock.now());
    const [row] = await tx.write(
      'sandbox.crm.createLead',
      `INSERT INTO ${tables.leads} (account, contact_id, name, pipeline_id, status_id, fields, tags, created_at, updated_at)
       VALUES ($1, $2::bigint, $3, $4, $5, $6::jsonb, $7::jsonb, $8::timestamptz, $8::timestamptz) RETURNING lead_id`,
      [
        account,
        contact.contactId,
        input.name || null,
        stage.pipelineId,
        stage.statusId,
        JSON.stringify(nextFields({}, input.fields)),
        JSON.stringify(nextTags([], input.tags, undefined)),
        now,
      ],
    );
    const leadId = String(row?.['lead_id']);
    const created = (await readLeads(tx, [leadId], false)).get(leadId);
    if (!created) throw new SdrError('the sandbox CRM did not find the lead it created');
    return { lead: withoutNoteKeys(created), created: true };
  };

  /** Applies patches already checked by `assertPatch`, in one transaction. */
  const applyPatches = async (patches: readonly CrmLeadPatch[]): Promise<void> => {
    await db.transaction(async (tx) => {
      const leads = await readLeads(
        tx,
        patches.map((patch) => patch.leadId),
        true,
      );
      const changed = new Map<string, CrmLeadSnapshot>();
      for (const patch of patches) {
        const lead = changed.get(patch.leadId) ?? leads.get(patch.leadId);
        if (lead === undefined) throw new NotFoundError('crm lead', patch.leadId);
        changed.set(patch.leadId, {
          ...lead,
          name: patch.name ?? lead.name,
          stage: patch.stage === undefined ? lead.stage : { pipelineId: patch.stage.pipelineId, statusId: patch.stage.statusId },
          fields: nextFields(lead.fields, patch.fields),
          tags: nextTags(lead.tags, patch.tagsToAdd, patch.tagsToRemove),
        });
      }
      for (const lead of changed.values()) await writeLead(tx, lead);
    });
  };

  /** Appends notes already checked by `assertNotes`, in one transaction. */
  const appendNotes = async (notes: readonly CrmNoteInput[]): Promise<CrmNoteResult[]> => {
    return db.transaction(async (tx) => {
      const leads = await readLeads(
        tx,
        notes.map((note) => note.leadId),
        false,
      );
      const missing = notes.find((note) => !leads.has(note.leadId));
      if (missing) throw new NotFoundError('crm lead', missing.leadId);
      const results: CrmNoteResult[] = [];
      for (const note of notes) {
        const [inserted] = await tx.write(
          'sandbox.crm.addNote',
          `INSERT INTO ${tables.notes} (account, lead_id, text, idempotency_key, created_at) VALUES ($1, $2::bigint, $3, $4, $5::timestamptz)
           ON CONFLICT (account, idempotency_key) DO NOTHING RETURNING note_id`,
          [account, note.leadId, note.text, note.idempotencyKey, instant(clock.now())],
        );
        const [existing] = inserted
          ? [inserted]
          : await tx.query('sandbox.crm.findNote', `SELECT note_id FROM ${tables.notes} WHERE account = $1 AND idempotency_key = $2`, [
              account,
              note.idempotencyKey,
            ]);
        if (!existing) throw new SdrError('the sandbox CRM lost a note while writing it');
        results.push({
          leadId: note.leadId,
          idempotencyKey: note.idempotencyKey,
          noteId: String(existing['note_id']),
          created: inserted !== undefined,
        });
      }
      return results;
    });
  };

  return {
    contractVersion: 'v1',
    provider: sandboxCrmProvider,
    account,
    capabilities: Object.freeze({ batchUpdate: true, batchNotes: true, maxBatchSize, requestsPerSecond, maxTagLength }),

    async findLeadByPhone(phone, callOptions) {
      await begin('findLeadByPhone', callOptions);
      const lead = await findLead(db, phone);
      return lead === null ? null : withoutNoteKeys(lead);
    },

    async upsertLeads(inputs, callOptions) {
      assertBatchSize('inputs', inputs.length, maxBatchSize);
      inputs.forEach((input, index) => {
        const prefix = itemPrefix('inputs', index, inputs.length);
        assertContact(input, prefix);
        if (input.stage !== undefined) assertStage(input.stage, `${prefix}stage`);
        assertFields(input.fields, knownFieldIds, `${prefix}fields`);
        assertTags(input.tags, `${prefix}tags`);
      });
      if (inputs.length === 0) return [];
      await begin('upsertLeads', callOptions);
      return db.transaction((tx) => inPhoneOrder(inputs, (input) => upsertLead(tx, input)));
    },

    async findContactByPhone(phone, callOptions) {
      await begin('findContactByPhone', callOptions);
      const [row] = await db.query('sandbox.crm.findContact', `SELECT * FROM ${tables.contacts} WHERE account = $1 AND phone = $2`, [
        account,
        phone.e164,
      ]);
      return row ? toContact(row) : null;
    },

    async upsertContacts(inputs, callOptions) {
      assertBatchSize('inputs', inputs.length, maxBatchSize);
      inputs.forEach((input, index) => assertContact(input, itemPrefix('inputs', index, inputs.length)));
      if (inputs.length === 0) return [];
      await begin('upsertContacts', callOptions);
      return db.transaction((tx) => inPhoneOrder(inputs, (input) => upsertContact(tx, input)));
    },

    async getLeads(leadIds, callOptions) {
      assertBatchSize('leadIds', leadIds.length, maxBatchSize);
      if (leadIds.length === 0) return [];
      await begin('getLeads', callOptions);
      const leads = await readLeads(db, leadIds, false);
      return [...new Set(leadIds)].flatMap((leadId) => {
        const lead = leads.get(leadId);
        return lead === undefined ? [] : [lead];
      });
    },

    async updateLeads(patches, callOptions) {
      assertBatchSize('patches', patches.length, maxBatchSize);
      patches.forEach((patch, index) => assertPatch(patch, knownFieldIds, itemPrefix('patches', index, patches.length)));
      if (patches.length === 0) return;
      await begin('updateLeads', callOptions);
      await applyPatches(patches);
    },

    async addNotes(notes, callOptions) {
      assertBatchSize('notes', notes.length, maxBatchSize);
      notes.forEach((note, index) => assertNote(note, itemPrefix('notes', index, notes.length)));
      if (notes.length === 0) return [];
      await begin('addNotes', callOptions);
      return appendNotes(notes);
    },

    async listPipelines(callOptions) {
      await begin('listPipelines', callOptions);
      return [
        { ...sandboxPipeline, statuses: sandboxPipeline.statuses.map((status) => ({ statusId: status.statusId, name: status.name })) },
      ];
    },

    async health(callOptions) {
      await begin('health', callOptions);
      try {
        await db.query('sandbox.crm.health', 'SELECT 1 AS up');
        return { status: 'up', checkedAt: clock.now() };
      } catch {
        return { status: 'down', detail: 'the sandbox CRM database is unreachable', checkedAt: clock.now() };
      }
    },

    async board(input) {
      if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 500) {
        throw ValidationError.forField('limit', 'must be a whole number from 1 to 500');
      }
      return boardQuery(db, tables, account, input.limit);
    },
  };
}

/** Where an item's field errors point: `inputs.2.` in a batch of several, nothing in a batch of one. */
function itemPrefix(list: string, index: number, count: number): string {
  return count === 1 ? '' : `${list}.${index}.`;
}

function assertNote(note: CrmNoteInput, prefix: string): void {
  if (note.text.trim() === '') throw ValidationError.forField(`${prefix}text`, 'must not be empty');
  if (note.text.length > 65_536) throw ValidationError.forField(`${prefix}text`, 'must be at most 65536 characters');
  if (note.idempotencyKey.trim() === '' || note.idempotencyKey.length > 200) {
    throw ValidationError.forField(`${prefix}idempotencyKey`, 'must be 1 to 200 characters');
  }
}

/**
 * Runs `upsert` over the inputs one by one in phone order — so concurrent batches lock contact
 * rows in one order and never deadlock — and answers in input order. The sort is stable: two
 * inputs with one phone run in their input order (the second finds what the first created).
 */
async function inPhoneOrder<Input extends { readonly phone: PhoneNumber }, Result>(
  inputs: readonly Input[],
  upsert: (input: Input) => Promise<Result>,
): Promise<Result[]> {
  const order = inputs.map((input, index) => ({ input, index })).sort((a, b) => a.input.phone.e164.localeCompare(b.input.phone.e164));
  const results = new Array<Result>(inputs.length);
  for (const { input, index } of order) results[index] = await upsert(input);
  return results;
}

function withoutNoteKeys(lead: CrmLeadSnapshot) {
  const { noteKeys: _noteKeys, ...rest } = lead;
  return rest;
}

function toContact(row: Row): CrmContact {
  return {
    contactId: String(row['contact_id']),
    name: textOrNull(row['name']),
    phone: String(row['phone']),
    email: textOrNull(row['email']),
  };
}
