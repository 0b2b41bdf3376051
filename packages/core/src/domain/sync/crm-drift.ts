/**
 * Drift (SPEC §4.7): how a CRM lead read back differs from what the store says it should show.
 * Pure. The store is the source of truth — except for the stage, where a card found somewhere
 * other than where the sync last put or saw it was moved by a person, whose move is adopted
 * (§4.1), never undone.
 *
 * The repair is expressed as data for the sync worker: the synced state corrected to what the
 * CRM really holds (`observed`), so that the worker's next diff writes exactly what drifted —
 * batched and rate-limited like any other change — plus the notes to write again.
 */
import type { CrmFieldValue, CrmLeadSnapshot } from '../../ports/crm/crm-port.js';
import type { JsonValue } from '../model/common.js';
import type { Lead } from '../model/lead.js';
import type { CrmStageRef, TenantConfig } from '../model/tenant.js';
import type { CrmNote } from './crm-outbox-entries.js';
import { stageForCrmStatus, type ClosingStatuses } from './crm-projection.js';
import { sameStageRef, unknownCrmState, type CrmProjection, type SyncedCrmState } from './crm-sync-state.js';

/** What drifted. */
export type CrmDriftKind = 'stage' | 'field' | 'tag' | 'name' | 'missing_note' | 'missing_lead';

/** One difference between the CRM and the store. */
export interface CrmDriftFinding {
  readonly kind: CrmDriftKind;
  /** The field name (or CRM field id when unmapped), the tag, the note key; `null` for stage, name, lead. */
  readonly key: string | null;
  readonly expected: JsonValue;
  readonly actual: JsonValue;
}

/** The drift of one lead and how to repair it. */
export interface CrmDriftReport {
  readonly findings: readonly CrmDriftFinding[];
  /** What the CRM holds, as a synced state: saved, it makes the worker's next diff the repair. */
  readonly observed: SyncedCrmState;
  /** A status a person moved the card to, to adopt through the inbound service; `null` if none. */
  readonly adoptStage: CrmStageRef | null;
  /** Notes the CRM should have and lacks. */
  readonly missingNotes: readonly CrmNote[];
}

/** Compares a CRM lead read back with the lead's projection and what the sync last synced. */
export function detectCrmDrift(input: {
  readonly lead: Pick<Lead, 'stage'>;
  readonly desired: CrmProjection;
  readonly known: SyncedCrmState | null;
  readonly snapshot: CrmLeadSnapshot;
  /** Notes the sync wrote (or failed for good to write) for this lead. */
  readonly expectedNotes: readonly CrmNote[];
  readonly config: Pick<TenantConfig, 'stageMapping' | 'crm'>;
  readonly closing?: ClosingStatuses | null;
}): CrmDriftReport {
  const { desired, snapshot, config } = input;
  const known = input.known ?? unknownCrmState;
  const findings: CrmDriftFinding[] = [];

  let adoptStage: CrmStageRef | null = null;
  const actualStage = snapshot.stage;
  if (input.known !== null && known.stageRef !== null && actualStage !== null && !sameStageRef(actualStage, known.stageRef)) {
    adoptStage = actualStage;
    const meaning = stageForCrmStatus(actualStage, config, input.closing);
    if (meaning !== input.lead.stage)
      findings.push({
        kind: 'stage',
        key: null,
        expected: input.lead.stage,
        actual: meaning ?? `${actualStage.pipelineId}/${actualStage.statusId}`,
      });
  }

  if (desired.name !== null && snapshot.name !== desired.name)
    findings.push({ kind: 'name', key: null, expected: desired.name, actual: snapshot.name });

  const names = new Map(Object.entries(config.crm.fieldMapping).map(([name, fieldId]) => [fieldId, name]));
  const fieldIds = [...new Set([...Object.keys(known.fields), ...Object.keys(desired.fields)])].sort();
  const observedFields: Record<string, CrmFieldValue> = {};
  for (const fieldId of fieldIds) {
    const expected = desired.fields[fieldId] ?? null;
    const actual = snapshot.fields[fieldId] ?? null;
    if (actual !== null) observedFields[fieldId] = actual;
    if (!sameFieldValue(expected, actual)) findings.push({ kind: 'field', key: names.get(fieldId) ?? fieldId, expected, actual });
  }

  for (const tag of desired.tags) {
    if (!snapshot.tags.includes(tag)) findings.push({ kind: 'tag', key: tag, expected: 'present', actual: 'absent' });
  }
  for (const tag of known.tags) {
    if (!desired.tags.includes(tag) && snapshot.tags.includes(tag))
      findings.push({ kind: 'tag', key: tag, expected: 'absent', actual: 'present' });
  }
  // The tags the sync owns that the card really has: the worker adds the missing ones, removes the stale ones.
  const observedTags = [...new Set([...known.tags, ...desired.tags])].filter((tag) => snapshot.tags.includes(tag));

  const present = new Set(snapshot.noteKeys);
  const missingNotes = uniqueByKey(input.expectedNotes).filter((note) => !present.has(note.key));
  for (const note of missingNotes) findings.push({ kind: 'missing_note', key: note.key, expected: 'present', actual: 'absent' });

  const observed: SyncedCrmState = {
    name: snapshot.name,
    // Never synced: whoever is right about the stage, the first sync puts the card where the lead is.
    stage: input.known === null ? null : known.stage,
    stageRef: input.known === null ? actualStage : known.stageRef,
    fields: observedFields,
    tags: observedTags,
  };
  return { findings, observed, adoptStage, missingNotes };
}

/** Providers return numbers and booleans as text at times (Kommo): `5000` and `"5000"` are the same value. */
function sameFieldValue(a: CrmFieldValue, b: CrmFieldValue): boolean {
  return a === b || (a !== null && b !== null && String(a) === String(b));
}

function uniqueByKey(notes: readonly CrmNote[]): CrmNote[] {
  const seen = new Map<string, CrmNote>();
  for (const note of notes) if (!seen.has(note.key)) seen.set(note.key, note);
  return [...seen.values()];
}
