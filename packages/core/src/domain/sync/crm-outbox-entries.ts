/**
 * The `crm` outbox entries the sync reads, beyond the plain "this lead changed" ones: a note to
 * append (`lead.note_added`, with its idempotency key and text), a stage change whose payload
 * says it came **from** the CRM (`lead.stage_changed` with `source: 'crm'`), and the status a
 * person put the card in (`lead.crm_stage_observed`). The last two teach the sync what the CRM
 * already shows, so that a human's move is never written back (no echo).
 */
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import { appendLeadCrmEntry } from './lead-crm-outbox.js';
import { stageSchema, type Stage } from '../model/lead.js';
import type { OutboxEntry } from '../model/outbox.js';
import { toFieldErrors } from '../model/parse.js';
import { crmStageRefSchema, type CrmStageRef } from '../model/tenant.js';
import type { SyncedCrmState } from './crm-sync-state.js';
import { unknownCrmState } from './crm-sync-state.js';

/** A note the CRM must show once: its idempotency key and text. */
export interface CrmNote {
  readonly key: string;
  readonly text: string;
}

const crmNoteSchema = z.object({
  key: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1, { message: 'must not be empty' }).max(65_536),
});

const stageChangedSchema = z.object({ to: stageSchema, source: z.string() });

const stageObservedSchema = z.object({ pipelineId: z.string(), statusId: z.string(), stage: stageSchema.nullable() });

/** Appends the `lead.note_added` entry of a note, in the caller's unit of work. Bad input: `ValidationError`. */
export async function appendCrmNoteEntry(
  tx: Pick<Repositories, 'outbox'>,
  input: { readonly tenantId: string; readonly leadId: string; readonly note: CrmNote },
): Promise<OutboxEntry> {
  const parsed = crmNoteSchema.safeParse(input.note);
  if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error.issues, 'note'));
  return appendLeadCrmEntry(tx, { tenantId: input.tenantId, leadId: input.leadId, type: 'lead.note_added', payload: { ...parsed.data } });
}

/** Appends the `lead.crm_stage_observed` entry: the card is in `ref` (meaning `stage`, when mapped). */
export async function appendCrmStageObservedEntry(
  tx: Pick<Repositories, 'outbox'>,
  input: { readonly tenantId: string; readonly leadId: string; readonly ref: CrmStageRef; readonly stage: Stage | null },
): Promise<OutboxEntry> {
  const ref = crmStageRefSchema.parse(input.ref);
  return appendLeadCrmEntry(tx, {
    tenantId: input.tenantId,
    leadId: input.leadId,
    type: 'lead.crm_stage_observed',
    payload: { pipelineId: ref.pipelineId, statusId: ref.statusId, stage: input.stage },
  });
}

/** What a lead's claimed entries tell the sync. */
export interface FoldedCrmEntries {
  /** The synced state once what the entries say the CRM already shows is taken into account. */
  readonly known: SyncedCrmState | null;
  /** Notes to append, in entry order. */
  readonly notes: readonly CrmNote[];
  /** Entries that cannot be applied (a malformed payload, an aggregate that is not a lead), with why. */
  readonly invalid: readonly { readonly entry: OutboxEntry; readonly reason: string }[];
}

/**
 * Reads a lead's entries in `sequence` order. Entries of other types only say "the lead
 * changed": the projection, read from the store, covers them.
 */
export function foldCrmEntries(entries: readonly OutboxEntry[], known: SyncedCrmState | null): FoldedCrmEntries {
  let state = known;
  const notes: CrmNote[] = [];
  const invalid: { entry: OutboxEntry; reason: string }[] = [];
  for (const entry of [...entries].sort((a, b) => a.sequence - b.sequence)) {
    if (entry.aggregateType !== 'lead') {
      invalid.push({ entry, reason: `the CRM sync applies lead entries only (got a ${entry.aggregateType})` });
      continue;
    }
    if (entry.type === 'lead.note_added') {
      const note = crmNoteSchema.safeParse(entry.payload);
      if (note.success) notes.push(note.data);
      else invalid.push({ entry, reason: 'a note entry needs a key and a non-empty text' });
    } else if (entry.type === 'lead.stage_changed') {
      const change = stageChangedSchema.safeParse(entry.payload);
      // A move a person made in the CRM: the card is already there.
      if (change.success && change.data.source === 'crm') state = { ...(state ?? unknownCrmState), stage: change.data.to };
    } else if (entry.type === 'lead.crm_stage_observed') {
      const observed = stageObservedSchema.safeParse(entry.payload);
      if (!observed.success) {
        invalid.push({ entry, reason: 'an observed stage needs a pipelineId, a statusId and a stage or null' });
        continue;
      }
      const { pipelineId, statusId, stage } = observed.data;
      const base = state ?? unknownCrmState;
      // An unmapped status keeps the stage the card reflects: the lead's stage did not change.
      state = { ...base, stageRef: { pipelineId, statusId }, stage: stage ?? base.stage };
    }
  }
  return { known: state, notes, invalid };
}
