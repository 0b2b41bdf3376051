/**
 * The projection (SPEC §4.7): a lead's desired CRM state, from the store alone — stage ⇒
 * pipeline status through the tenant's mapping, qualification fields ⇒ custom fields through
 * the field mapping, tags (plus a tag that shows an opt-out). And its reverse for stage moves
 * that arrive from the CRM: pipeline status ⇒ domain stage.
 */
import type { CrmFieldValue } from '../../ports/crm/crm-port.js';
import type { Lead, Stage } from '../model/lead.js';
import type { CrmStageRef, TenantConfig } from '../model/tenant.js';
import type { CrmProjection } from './crm-sync-state.js';

/** The tag an opted-out lead carries in the CRM, so that a person there sees not to write to it. */
export const crmOptedOutTag = 'opted-out';

/** The tenant settings the projection reads. */
export type CrmProjectionConfig = Pick<TenantConfig, 'stageMapping' | 'crm'>;

/** What the CRM should show for `lead`. Deterministic: same lead and config, same projection. */
export function projectCrmState(
  lead: Pick<Lead, 'name' | 'email' | 'stage' | 'fields' | 'tags' | 'optedOut'>,
  config: CrmProjectionConfig,
): CrmProjection {
  const fields: Record<string, CrmFieldValue> = {};
  // Sorted so that the projection (and every patch built from it) does not depend on the order
  // in which the mapping happened to be written.
  for (const [name, fieldId] of Object.entries(config.crm.fieldMapping).sort(([a], [b]) => a.localeCompare(b))) {
    const value = lead.fields[name];
    if (value !== undefined && value !== null) fields[fieldId] = value;
  }
  const tags = [...new Set([...lead.tags, ...(lead.optedOut ? [crmOptedOutTag] : [])])];
  const stageRef = config.stageMapping[lead.stage];
  return {
    name: lead.name,
    email: lead.email,
    stage: lead.stage,
    stageRef: stageRef === undefined ? null : { ...stageRef },
    fields,
    tags,
  };
}

/** Status ids that close a deal the same way in every pipeline (Kommo: 142 won, 143 lost). */
export interface ClosingStatuses {
  readonly won: string;
  readonly lost: string;
}

/** Kommo's closing statuses, present in every pipeline. */
export const kommoClosingStatuses: ClosingStatuses = Object.freeze({ won: '142', lost: '143' });

/**
 * The domain stage a pipeline status means: the tenant's mapping first (an exact pipeline and
 * status), then the closing statuses in any pipeline; `null` for a status the tenant does not map.
 */
export function stageForCrmStatus(
  ref: CrmStageRef,
  config: Pick<TenantConfig, 'stageMapping'>,
  closing: ClosingStatuses | null = kommoClosingStatuses,
): Stage | null {
  for (const [stage, mapped] of Object.entries(config.stageMapping) as [Stage, CrmStageRef | undefined][]) {
    if (mapped !== undefined && mapped.pipelineId === ref.pipelineId && mapped.statusId === ref.statusId) return stage;
  }
  if (closing?.won === ref.statusId) return 'won';
  if (closing?.lost === ref.statusId) return 'lost';
  return null;
}
