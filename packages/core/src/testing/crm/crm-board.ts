/**
 * The state of the in-memory CRM — leads, contacts, notes, pipelines — and the rules a Kommo
 * account applies to writes. Every method is synchronous and validates **everything** before
 * changing anything, so a refused write leaves the board untouched. Requests, rate limits and
 * outages are the gate's business (`crm-request-gate.ts`), not the board's.
 *
 * Like Kommo, the board also has a **replacing** tag write — Kommo's `_embedded.tags`, which
 * drops every tag not listed, those a person added included. The port never asks for it; a
 * caller can reach it only through `providerOptions['in-memory-crm'].tags`, and the request log
 * marks such requests (`replacedTags`), so a test can prove a client never replaces tags.
 */
import { NotFoundError, ValidationError } from '../../errors/index.js';
import { codePointLength, maxTagLength as domainMaxTagLength } from '../../domain/model/lead.js';
import type { CrmStageRef } from '../../domain/model/tenant.js';
import type { Clock } from '../../ports/clock/clock.js';
import type {
  CrmContact,
  CrmFieldValue,
  CrmLead,
  CrmLeadPatch,
  CrmLeadSnapshot,
  CrmNoteInput,
  CrmNoteResult,
  CrmPipeline,
  CrmUpsertedContact,
  CrmUpsertedLead,
  UpsertCrmContactInput,
  UpsertCrmLeadInput,
} from '../../ports/crm/crm-port.js';
import type { PhoneNumber } from '../../domain/identity/phone-number.js';

/** A note as the CRM stores it. */
export interface InMemoryCrmNote {
  readonly noteId: string;
  readonly leadId: string;
  readonly text: string;
  readonly idempotencyKey: string;
  readonly createdAt: Date;
}

interface BoardLead {
  readonly leadId: string;
  readonly contactId: string | null;
  name: string | null;
  stage: CrmStageRef;
  fields: Record<string, CrmFieldValue>;
  tags: string[];
  readonly createdAt: Date;
  updatedAt: Date;
}

interface BoardContact {
  readonly contactId: string;
  name: string | null;
  readonly phone: string;
  email: string | null;
}

/** The `providerOptions` namespace of the in-memory CRM (its provider name). */
export const inMemoryCrmOptionsKey = 'in-memory-crm';

/** The account's data and write rules; see the module comment. */
export class CrmBoard {
  private readonly leadsById = new Map<string, BoardLead>();
  private readonly contactsById = new Map<string, BoardContact>();
  private readonly notesByLead = new Map<string, InMemoryCrmNote[]>();
  private readonly customFieldIds: ReadonlySet<string> | undefined;
  private nextLeadId = 1_000_001;
  private nextContactId = 2_000_001;
  private nextNoteId = 3_000_001;

  constructor(
    private readonly clock: Clock,
    private readonly pipelineList: readonly CrmPipeline[],
    customFieldIds: readonly string[] | undefined,
    /** The longest tag accepted, in code points. */
    private readonly maxTagLength: number = domainMaxTagLength,
  ) {
    this.customFieldIds = customFieldIds === undefined ? undefined : new Set(customFieldIds);
  }

  pipelines(): CrmPipeline[] {
    return this.pipelineList.map((pipeline) => ({ ...pipeline, statuses: pipeline.statuses.map((status) => ({ ...status })) }));
  }

  /** The stage of the status named `statusName` (in `pipelineId`, or the first pipeline that has it). */
  stageRef(statusName: string, pipelineId?: string): CrmStageRef {
    for (const pipeline of this.pipelineList) {
      if (pipelineId !== undefined && pipeline.pipelineId !== pipelineId) continue;
      const status = pipeline.statuses.find((candidate) => candidate.name === statusName);
      if (status) return { pipelineId: pipeline.pipelineId, statusId: status.statusId };
    }
    throw ValidationError.forField('statusName', `no pipeline status is named "${statusName}"`);
  }

  findLeadByPhone(phone: PhoneNumber): CrmLead | null {
    const lead = this.latestLeadOf(this.findContact(phone)?.contactId);
    return lead === undefined ? null : this.toLead(lead);
  }

  /** Finds or creates every lead, in order, or — when one input is invalid — none. */
  upsertLeads(inputs: readonly UpsertCrmLeadInput[]): CrmUpsertedLead[] {
    inputs.forEach((input, index) => {
      const prefix = itemPrefix('inputs', index, inputs.length);
      if (input.stage !== undefined) this.assertStage(input.stage, `${prefix}stage`);
      this.assertFields(input.fields, `${prefix}fields`);
      this.assertTags(input.tags, `${prefix}tags`);
    });
    return inputs.map((input) => this.upsertLead(input));
  }

  private upsertLead(input: UpsertCrmLeadInput): CrmUpsertedLead {
    const { contact } = this.upsertContact({ phone: input.phone, name: input.name ?? null, email: input.email ?? null });
    const now = this.clock.now();
    const existing = this.latestLeadOf(contact.contactId);
    if (existing !== undefined) {
      // Found: non-empty values are applied, tags only added; the stage is left alone.
      if (input.name) existing.name = input.name;
      existing.fields = withoutNulls({ ...existing.fields, ...input.fields });
      existing.tags = addTags(existing.tags, input.tags ?? []);
      existing.updatedAt = now;
      return { lead: this.toLead(existing), created: false };
    }
    const lead: BoardLead = {
      leadId: String(this.nextLeadId++),
      contactId: contact.contactId,
      name: input.name ?? null,
      stage: input.stage ?? this.defaultStage(),
      fields: withoutNulls({ ...input.fields }),
      tags: addTags([], input.tags ?? []),
      createdAt: now,
      updatedAt: now,
    };
    this.leadsById.set(lead.leadId, lead);
    return { lead: this.toLead(lead), created: true };
  }

  findContact(phone: PhoneNumber): CrmContact | null {
    const contact = [...this.contactsById.values()].find((candidate) => candidate.phone === phone.e164);
    return contact === undefined ? null : { ...contact };
  }

  /** Finds or creates every contact, in order. */
  upsertContacts(inputs: readonly UpsertCrmContactInput[]): CrmUpsertedContact[] {
    return inputs.map((input) => this.upsertContact(input));
  }

  private upsertContact(input: UpsertCrmContactInput): CrmUpsertedContact {
    const existing = [...this.contactsById.values()].find((candidate) => candidate.phone === input.phone.e164);
    if (existing !== undefined) {
      if (input.name) existing.name = input.name;
      if (input.email) existing.email = input.email;
      return { contact: { ...existing }, created: false };
    }
    const contact: BoardContact = {
      contactId: String(this.nextContactId++),
      name: input.name || null,
      phone: input.phone.e164,
      email: input.email || null,
    };
    this.contactsById.set(contact.contactId, contact);
    return { contact: { ...contact }, created: true };
  }

  /** Snapshots of the known ids, in the order asked, each once. */
  snapshots(leadIds: readonly string[]): CrmLeadSnapshot[] {
    return [...new Set(leadIds)].flatMap((leadId) => {
      const lead = this.leadsById.get(leadId);
      return lead === undefined ? [] : [this.toSnapshot(lead)];
    });
  }

  allSnapshots(): CrmLeadSnapshot[] {
    return [...this.leadsById.values()].map((lead) => this.toSnapshot(lead));
  }

  contacts(): CrmContact[] {
    return [...this.contactsById.values()].map((contact) => ({ ...contact }));
  }

  /** Applies every patch, or — when one of them is invalid — none. */
  applyPatches(patches: readonly CrmLeadPatch[]): void {
    patches.forEach((patch, index) => this.assertPatch(patch, itemPrefix('patches', index, patches.length)));
    const now = this.clock.now();
    for (const patch of patches) {
      const lead = this.requireLead(patch.leadId);
      if (patch.name !== undefined) lead.name = patch.name;
      if (patch.stage !== undefined) lead.stage = { ...patch.stage };
      if (patch.fields !== undefined) lead.fields = withoutNulls({ ...lead.fields, ...patch.fields });
      const replacement = replacingTags(patch, '');
      if (replacement !== undefined) lead.tags = addTags([], replacement);
      const removed = trimmed(patch.tagsToRemove);
      lead.tags = addTags(lead.tags, patch.tagsToAdd ?? []).filter((tag) => !removed.includes(tag));
      lead.updatedAt = now;
    }
  }

  /** A person moves the card in the CRM's UI. */
  moveStage(leadId: string, stage: CrmStageRef): void {
    this.applyPatches([{ leadId, stage }]);
  }

  /** Appends every note (once per key), or — when one of them is invalid — none. */
  addNotes(notes: readonly CrmNoteInput[]): CrmNoteResult[] {
    notes.forEach((note, index) => this.assertNote(note, itemPrefix('notes', index, notes.length)));
    return notes.map((note) => this.appendNote(note));
  }

  /** Whether any of `patches` replaces the tags (the Kommo-like replacing write). */
  replacesTags(patches: readonly CrmLeadPatch[]): boolean {
    return patches.some((patch) => patch.providerOptions?.[inMemoryCrmOptionsKey]?.['tags'] !== undefined);
  }

  private assertNote(input: CrmNoteInput, prefix: string): void {
    this.requireLead(input.leadId);
    if (input.text.trim() === '') throw ValidationError.forField(`${prefix}text`, 'must not be empty');
    if (input.idempotencyKey.trim() === '') throw ValidationError.forField(`${prefix}idempotencyKey`, 'must not be empty');
  }

  private appendNote(input: CrmNoteInput): CrmNoteResult {
    const notes = this.notesByLead.get(input.leadId) ?? [];
    const existing = notes.find((note) => note.idempotencyKey === input.idempotencyKey);
    const result = { leadId: input.leadId, idempotencyKey: input.idempotencyKey };
    if (existing !== undefined) return { ...result, noteId: existing.noteId, created: false };
    const note: InMemoryCrmNote = {
      noteId: String(this.nextNoteId++),
      leadId: input.leadId,
      text: input.text,
      idempotencyKey: input.idempotencyKey,
      createdAt: this.clock.now(),
    };
    this.notesByLead.set(input.leadId, [...notes, note]);
    return { ...result, noteId: note.noteId, created: true };
  }

  notes(leadId: string): InMemoryCrmNote[] {
    return (this.notesByLead.get(leadId) ?? []).map((note) => ({ ...note, createdAt: new Date(note.createdAt.getTime()) }));
  }

  private assertPatch(patch: CrmLeadPatch, prefix: string): void {
    this.requireLead(patch.leadId);
    if (patch.stage !== undefined) this.assertStage(patch.stage, `${prefix}stage`);
    this.assertFields(patch.fields, `${prefix}fields`);
    this.assertTags(patch.tagsToAdd, `${prefix}tagsToAdd`);
    this.assertTags(patch.tagsToRemove, `${prefix}tagsToRemove`);
    this.assertTags(replacingTags(patch, prefix), `${prefix}providerOptions.${inMemoryCrmOptionsKey}.tags`);
    const removed = trimmed(patch.tagsToRemove);
    const both = trimmed(patch.tagsToAdd).find((tag) => removed.includes(tag));
    if (both !== undefined) throw ValidationError.forField(`${prefix}tagsToAdd`, `tag "${both}" is both added and removed`);
  }

  private assertStage(stage: CrmStageRef, field: string): void {
    const pipeline = this.pipelineList.find((candidate) => candidate.pipelineId === stage.pipelineId);
    if (pipeline === undefined) throw ValidationError.forField(field, `pipeline ${stage.pipelineId} does not exist in the CRM`);
    if (!pipeline.statuses.some((status) => status.statusId === stage.statusId)) {
      throw ValidationError.forField(field, `status ${stage.statusId} does not exist in pipeline ${stage.pipelineId}`);
    }
  }

  private assertFields(fields: Readonly<Record<string, CrmFieldValue>> | undefined, field: string): void {
    for (const [fieldId, value] of Object.entries(fields ?? {})) {
      if (this.customFieldIds !== undefined && !this.customFieldIds.has(fieldId)) {
        throw ValidationError.forField(`${field}.${fieldId}`, `custom field ${fieldId} does not exist in the CRM`);
      }
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        throw ValidationError.forField(`${field}.${fieldId}`, 'must be a string, a number, a boolean or null');
      }
    }
  }

  private assertTags(tags: readonly string[] | undefined, field: string): void {
    (tags ?? []).forEach((tag, index) => {
      if (typeof tag !== 'string' || tag.trim() === '') throw ValidationError.forField(`${field}.${index}`, 'must be a non-empty tag');
      if (codePointLength(tag.trim()) > this.maxTagLength)
        throw ValidationError.forField(`${field}.${index}`, `must be at most ${this.maxTagLength} characters`);
    });
  }

  private requireLead(leadId: string): BoardLead {
    const lead = this.leadsById.get(leadId);
    if (lead === undefined) throw new NotFoundError('crm lead', leadId);
    return lead;
  }

  private latestLeadOf(contactId: string | undefined): BoardLead | undefined {
    if (contactId === undefined) return undefined;
    return [...this.leadsById.values()].reverse().find((lead) => lead.contactId === contactId);
  }

  private defaultStage(): CrmStageRef {
    const pipeline = this.pipelineList[0];
    const status = pipeline?.statuses[0];
    if (pipeline === undefined || status === undefined)
      throw ValidationError.forField('stage', 'the CRM has no pipeline to put a new lead in');
    return { pipelineId: pipeline.pipelineId, statusId: status.statusId };
  }

  private toLead(lead: BoardLead): CrmLead {
    const contact = lead.contactId === null ? undefined : this.contactsById.get(lead.contactId);
    return {
      leadId: lead.leadId,
      contactId: lead.contactId,
      name: lead.name,
      phone: contact?.phone ?? null,
      stage: { ...lead.stage },
      fields: { ...lead.fields },
      tags: [...lead.tags],
    };
  }

  private toSnapshot(lead: BoardLead): CrmLeadSnapshot {
    return { ...this.toLead(lead), noteKeys: (this.notesByLead.get(lead.leadId) ?? []).map((note) => note.idempotencyKey) };
  }
}

/** Where an item's field errors point: `inputs.2.` in a batch of several, nothing in a batch of one. */
function itemPrefix(list: string, index: number, count: number): string {
  return count === 1 ? '' : `${list}.${index}.`;
}

/** The tags a patch replaces the lead's with, or `undefined` when it does not replace them. */
function replacingTags(patch: CrmLeadPatch, prefix: string): readonly string[] | undefined {
  const tags = patch.providerOptions?.[inMemoryCrmOptionsKey]?.['tags'];
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw ValidationError.forField(`${prefix}providerOptions.${inMemoryCrmOptionsKey}.tags`, 'must be a list of tags');
  }
  return tags as string[];
}

/** Adds tags not present yet, keeping the existing ones and their order (tags are never replaced). */
function addTags(existing: readonly string[], added: readonly string[]): string[] {
  const tags = [...existing];
  for (const tag of trimmed(added)) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}

function trimmed(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).map((tag) => tag.trim());
}

/** A field set to `null` is cleared: it disappears from the lead. */
function withoutNulls(fields: Record<string, CrmFieldValue>): Record<string, CrmFieldValue> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}
