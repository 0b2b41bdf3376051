/**
 * The two CRM states the sync compares (SPEC §4.7): the **projection** — what the CRM should show
 * for a lead, computed from the store — and the **synced state** — what the sync knows the CRM
 * holds, because it wrote it or observed it. The synced state is stored as `SyncState.state`
 * (JSON, shape owned here, versioned by `format` so that a future shape can be told apart).
 */
import { z } from 'zod';
import type { CrmFieldValue } from '../../ports/crm/crm-port.js';
import type { JsonValue } from '../model/common.js';
import { stageSchema, type Stage } from '../model/lead.js';
import { crmStageRefSchema, type CrmStageRef } from '../model/tenant.js';

/** What the CRM should show for a lead: a pure function of the lead and the tenant's mapping. */
export interface CrmProjection {
  readonly name: string | null;
  /** Written only when the CRM lead is created (the port's patches carry no e-mail). */
  readonly email: string | null;
  readonly stage: Stage;
  /** The pipeline status `stage` maps to; `null` when the tenant does not map it (the card is not moved). */
  readonly stageRef: CrmStageRef | null;
  /** CRM custom-field id ⇒ value, for the mapped fields that have a value. */
  readonly fields: Readonly<Record<string, CrmFieldValue>>;
  readonly tags: readonly string[];
}

/** What the sync knows the CRM holds for a lead: the base of the next diff. */
export interface SyncedCrmState {
  readonly name: string | null;
  /**
   * The domain stage the card reflects — written by the sync, or put there by a human (a move
   * heard from the CRM). `null` when unknown: the next diff moves the card when the stage is mapped.
   */
  readonly stage: Stage | null;
  /** The pipeline status the sync last moved the card to or saw it in; `null` when unknown. */
  readonly stageRef: CrmStageRef | null;
  /** CRM custom-field id ⇒ value, as last written. */
  readonly fields: Readonly<Record<string, CrmFieldValue>>;
  /** Tags the sync put on the card. Tags a person added are not in here, so they are never removed. */
  readonly tags: readonly string[];
}

/** The synced state of a CRM lead the sync knows nothing about yet. */
export const unknownCrmState: SyncedCrmState = Object.freeze({ name: null, stage: null, stageRef: null, fields: {}, tags: [] });

const crmFieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** `SyncState.state` as stored: the synced state plus its format version. */
const storedSyncedStateSchema = z.object({
  format: z.literal(1),
  name: z.string().nullable(),
  stage: stageSchema.nullable(),
  stageRef: crmStageRefSchema.nullable(),
  fields: z.record(z.string(), crmFieldValueSchema),
  tags: z.array(z.string()),
});

/** The synced state as `SyncState.state` JSON. */
export function syncedStateToJson(state: SyncedCrmState): Record<string, JsonValue> {
  return {
    format: 1,
    name: state.name,
    stage: state.stage,
    stageRef: state.stageRef === null ? null : { ...state.stageRef },
    fields: { ...state.fields },
    tags: [...state.tags],
  };
}

/**
 * Reads `SyncState.state` back. A shape this version does not know yields `null`: the sync then
 * treats the CRM lead as unknown and writes the whole projection again, which is always safe.
 */
export function syncedStateFromJson(json: Readonly<Record<string, JsonValue>>): SyncedCrmState | null {
  const parsed = storedSyncedStateSchema.safeParse(json);
  if (!parsed.success) return null;
  const { format: _format, ...state } = parsed.data;
  return state;
}

/** Whether two pipeline statuses are the same. */
export function sameStageRef(a: CrmStageRef | null, b: CrmStageRef | null): boolean {
  return a === b || (a !== null && b !== null && a.pipelineId === b.pipelineId && a.statusId === b.statusId);
}

/** Whether two synced states say the same (stored JSON compared, which is canonical: same keys, same order). */
export function sameSyncedState(a: SyncedCrmState, b: SyncedCrmState): boolean {
  return JSON.stringify(syncedStateToJson(a)) === JSON.stringify(syncedStateToJson(b));
}
