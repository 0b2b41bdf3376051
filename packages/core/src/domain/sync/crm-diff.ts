/**
 * The diff (SPEC §4.7): from what the sync knows the CRM holds to what it should hold, only the
 * difference — and the synced state once that difference is applied. Pure.
 *
 * Rules that keep people's work in the CRM safe:
 * - Tags are only added and removed; only tags the sync itself put there are ever removed.
 * - The card is moved only when the lead's **domain** stage changed since the sync last
 *   reflected it, and only to a mapped status — a card a person moved to some other status
 *   stays there until the lead's stage changes again.
 * - A `null` name never clears the CRM's name.
 */
import type { CrmFieldValue, CrmLead, CrmLeadPatch, UpsertCrmLeadInput } from '../../ports/crm/crm-port.js';
import type { PhoneNumber } from '../identity/phone-number.js';
import type { CrmStageRef } from '../model/tenant.js';
import { sameStageRef, unknownCrmState, type CrmProjection, type SyncedCrmState } from './crm-sync-state.js';

/** The difference to write: a lead patch without its lead id. Absent parts do not change. */
export interface CrmStateChange {
  readonly name?: string;
  readonly stage?: CrmStageRef;
  /** Field id ⇒ value; `null` clears a field the sync had written. */
  readonly fields?: Readonly<Record<string, CrmFieldValue>>;
  readonly tagsToAdd?: readonly string[];
  readonly tagsToRemove?: readonly string[];
}

/** The difference, or `null` when the CRM already shows the projection; and the state after it. */
export interface CrmStateDiff {
  readonly change: CrmStateChange | null;
  readonly next: SyncedCrmState;
}

/** What to write so that a CRM that holds `known` (`null`: unknown) shows `desired`. */
export function diffCrmState(known: SyncedCrmState | null, desired: CrmProjection): CrmStateDiff {
  const base = known ?? unknownCrmState;
  const name = desired.name !== null && desired.name !== base.name ? desired.name : undefined;
  const stage = desired.stage !== base.stage && desired.stageRef !== null ? desired.stageRef : undefined;
  const fields: Record<string, CrmFieldValue> = {};
  for (const fieldId of [...new Set([...Object.keys(base.fields), ...Object.keys(desired.fields)])].sort()) {
    const wanted = desired.fields[fieldId] ?? null;
    if (!Object.is(base.fields[fieldId] ?? null, wanted)) fields[fieldId] = wanted;
  }
  const tagsToAdd = desired.tags.filter((tag) => !base.tags.includes(tag));
  const tagsToRemove = base.tags.filter((tag) => !desired.tags.includes(tag));

  const change: CrmStateChange = {
    ...(name === undefined ? {} : { name }),
    ...(stage === undefined ? {} : { stage }),
    ...(Object.keys(fields).length === 0 ? {} : { fields }),
    ...(tagsToAdd.length === 0 ? {} : { tagsToAdd }),
    ...(tagsToRemove.length === 0 ? {} : { tagsToRemove }),
  };
  const next: SyncedCrmState = {
    name: desired.name ?? base.name,
    // An unmapped stage is "reflected" as far as the CRM can: the card stays where it is.
    stage: desired.stage,
    stageRef: stage ?? base.stageRef,
    fields: { ...desired.fields },
    tags: [...desired.tags],
  };
  return { change: Object.keys(change).length === 0 ? null : change, next };
}

/** The change as a `CrmLeadPatch` of `leadId`. */
export function toCrmPatch(leadId: string, change: CrmStateChange): CrmLeadPatch {
  return { leadId, ...change };
}

/** How a lead the CRM does not know yet is created — or found by phone and linked. */
export function crmUpsertInput(phone: PhoneNumber, desired: CrmProjection): UpsertCrmLeadInput {
  return {
    phone,
    name: desired.name,
    email: desired.email,
    ...(desired.stageRef === null ? {} : { stage: desired.stageRef }),
    fields: { ...desired.fields },
    tags: [...desired.tags],
  };
}

/**
 * What the CRM holds after `upsertLeadByPhone` with `crmUpsertInput(desired)`: a created lead has
 * the whole projection; a found one got the fields and tags (added) but kept its stage, so its
 * stage is unknown and the next diff moves the card when the lead's stage is mapped.
 */
export function syncedAfterUpsert(result: { readonly lead: CrmLead; readonly created: boolean }, desired: CrmProjection): SyncedCrmState {
  const stageApplied = result.created && (desired.stageRef === null || sameStageRef(result.lead.stage, desired.stageRef));
  return {
    name: desired.name ?? result.lead.name,
    stage: stageApplied ? desired.stage : null,
    stageRef: result.lead.stage,
    fields: { ...desired.fields },
    tags: [...desired.tags],
  };
}
