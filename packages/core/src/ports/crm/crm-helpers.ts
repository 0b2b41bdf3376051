/**
 * The single forms of the `CrmPort`'s batch methods: each is **one** batch call of one item, so
 * a caller with one lead at hand writes `moveCrmStage(crm, { leadId, stage })` and every
 * implementation still implements each operation once. A port answering a one-item batch with
 * anything but one result breaks its contract: that is an `SdrError`, not a silent `undefined`.
 */
import { SdrError } from '../../errors/index.js';
import type { CrmStageRef } from '../../domain/model/tenant.js';
import type { CallOptions } from '../call-options.js';
import type {
  CrmLeadPatch,
  CrmLeadSnapshot,
  CrmNoteInput,
  CrmNoteResult,
  CrmPort,
  CrmUpsertedContact,
  CrmUpsertedLead,
  UpsertCrmContactInput,
  UpsertCrmLeadInput,
} from './crm-port.js';

/** Finds the lead by phone or creates it: `upsertLeads` of one input. */
export async function upsertCrmLead(crm: CrmPort, input: UpsertCrmLeadInput, options?: CallOptions): Promise<CrmUpsertedLead> {
  return onlyResult(crm, 'upsertLeads', await crm.upsertLeads([input], options));
}

/** Finds the contact by phone or creates it: `upsertContacts` of one input. */
export async function upsertCrmContact(crm: CrmPort, input: UpsertCrmContactInput, options?: CallOptions): Promise<CrmUpsertedContact> {
  return onlyResult(crm, 'upsertContacts', await crm.upsertContacts([input], options));
}

/** One lead with its note keys, or `null` when it does not exist: `getLeads` of one id. */
export async function getCrmLead(crm: CrmPort, leadId: string, options?: CallOptions): Promise<CrmLeadSnapshot | null> {
  const leads = await crm.getLeads([leadId], options);
  if (leads.length > 1) throw contractBroken(crm, 'getLeads', leads.length);
  return leads[0] ?? null;
}

/** Applies one patch (`NotFoundError` for an unknown lead): `updateLeads` of one patch. */
export function updateCrmLead(crm: CrmPort, patch: CrmLeadPatch, options?: CallOptions): Promise<void> {
  return crm.updateLeads([patch], options);
}

/** Moves a lead to a pipeline status (`ValidationError` for one the CRM does not have): a patch with only `stage`. */
export function moveCrmStage(
  crm: CrmPort,
  input: { readonly leadId: string; readonly stage: CrmStageRef },
  options?: CallOptions,
): Promise<void> {
  return crm.updateLeads([{ leadId: input.leadId, stage: input.stage }], options);
}

/** Appends a note, once per `idempotencyKey`: `addNotes` of one note. */
export async function addCrmNote(crm: CrmPort, note: CrmNoteInput, options?: CallOptions): Promise<CrmNoteResult> {
  return onlyResult(crm, 'addNotes', await crm.addNotes([note], options));
}

function onlyResult<T>(crm: CrmPort, operation: string, results: readonly T[]): T {
  const [result] = results;
  if (results.length !== 1 || result === undefined) throw contractBroken(crm, operation, results.length);
  return result;
}

function contractBroken(crm: CrmPort, operation: string, count: number): SdrError {
  return new SdrError(`${crm.provider} ${operation} answered ${count} results for one item: the CRM breaks the port's contract`);
}
