/**
 * The sandbox CRM's fixed account layout and write rules: one pipeline, `Sandbox`, whose statuses
 * are the domain stages (so a seeded tenant's stage mapping is the identity), the custom fields
 * it knows, and the checks every write passes **before** anything is written — a refused batch
 * leaves the board untouched, as the port requires.
 */
import {
  ValidationError,
  codePointLength,
  maxTagLength,
  stages,
  type CrmFieldValue,
  type CrmLeadPatch,
  type CrmPipeline,
  type CrmStageRef,
  type Stage,
} from '@sdr/core';

/** The id of the sandbox's one pipeline. */
export const sandboxPipelineId = 'sandbox';

// Named as a Brazilian sales team's Kommo board names its columns (the user's own wording).
const statusNames: Readonly<Record<Stage, string>> = {
  new: 'Novo lead',
  qualifying: 'Qualificação',
  meeting_scheduled: 'Reunião agendada',
  not_interested: 'Não interessado',
  human_handoff: 'Atendimento humano',
  won: 'Venda ganha',
  lost: 'Venda perdida',
};

/** The pipeline `listPipelines` reports: a status per domain stage, the stage name as its id. */
export const sandboxPipeline: CrmPipeline = Object.freeze({
  pipelineId: sandboxPipelineId,
  name: 'Sandbox',
  statuses: Object.freeze(stages.map((stage) => Object.freeze({ statusId: stage, name: statusNames[stage] }))),
});

/** Domain stage ⇒ sandbox status: what the server seeds a sandbox tenant's `stageMapping` with. */
export const sandboxStageMapping: Readonly<Record<Stage, CrmStageRef>> = Object.freeze(
  Object.fromEntries(stages.map((stage) => [stage, Object.freeze({ pipelineId: sandboxPipelineId, statusId: stage })])) as Record<
    Stage,
    CrmStageRef
  >,
);

/**
 * The custom fields a sandbox account has unless told otherwise; their ids are their names, so a
 * seeded tenant's `crm.fieldMapping` can map each lead field to itself.
 */
export const sandboxCustomFieldIds: readonly string[] = Object.freeze(['company', 'budget', 'interest', 'source', 'city']);

/** The status a new lead starts in. */
export const sandboxDefaultStage: CrmStageRef = { pipelineId: sandboxPipelineId, statusId: 'new' };

/** The status's name, or `null` for a stage the pipeline does not have. */
export function sandboxStatusName(stage: CrmStageRef): string | null {
  if (stage.pipelineId !== sandboxPipelineId) return null;
  return sandboxPipeline.statuses.find((status) => status.statusId === stage.statusId)?.name ?? null;
}

/** Checks a stage against the pipeline; the error names the unknown pipeline or status. */
export function assertStage(stage: CrmStageRef, field: string): void {
  if (stage.pipelineId !== sandboxPipelineId) {
    throw ValidationError.forField(field, `pipeline ${stage.pipelineId} does not exist in the sandbox CRM`);
  }
  if (sandboxStatusName(stage) === null) {
    throw ValidationError.forField(field, `status ${stage.statusId} does not exist in pipeline ${stage.pipelineId}`);
  }
}

/** Checks custom fields: known ids, scalar values (`null` clears). */
export function assertFields(
  fields: Readonly<Record<string, CrmFieldValue>> | undefined,
  knownFieldIds: ReadonlySet<string>,
  field: string,
): void {
  for (const [fieldId, value] of Object.entries(fields ?? {})) {
    if (!knownFieldIds.has(fieldId))
      throw ValidationError.forField(`${field}.${fieldId}`, `custom field ${fieldId} does not exist in the sandbox CRM`);
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw ValidationError.forField(`${field}.${fieldId}`, 'must be a string, a number, a boolean or null');
    }
    if (typeof value === 'string' && value.length > 10_000)
      throw ValidationError.forField(`${field}.${fieldId}`, 'must be at most 10000 characters');
  }
}

/** Checks tags: non-empty, at most `maxTagLength` (100) code points once trimmed — the domain's unit and limit. */
export function assertTags(tags: readonly string[] | undefined, field: string): void {
  (tags ?? []).forEach((tag, index) => {
    if (typeof tag !== 'string' || tag.trim() === '') throw ValidationError.forField(`${field}.${index}`, 'must be a non-empty tag');
    if (codePointLength(tag.trim()) > maxTagLength)
      throw ValidationError.forField(`${field}.${index}`, `must be at most ${maxTagLength} characters`);
  });
}

/** Checks one patch; `prefix` names its place in a batch (`patches.2.`). */
export function assertPatch(patch: CrmLeadPatch, knownFieldIds: ReadonlySet<string>, prefix: string): void {
  if (patch.stage !== undefined) assertStage(patch.stage, `${prefix}stage`);
  assertFields(patch.fields, knownFieldIds, `${prefix}fields`);
  assertTags(patch.tagsToAdd, `${prefix}tagsToAdd`);
  assertTags(patch.tagsToRemove, `${prefix}tagsToRemove`);
  if (patch.name !== undefined && patch.name.length > 255)
    throw ValidationError.forField(`${prefix}name`, 'must be at most 255 characters');
  const removed = trimmed(patch.tagsToRemove);
  const both = trimmed(patch.tagsToAdd).find((tag) => removed.includes(tag));
  if (both !== undefined) throw ValidationError.forField(`${prefix}tagsToAdd`, `tag "${both}" is both added and removed`);
}

/** Refuses a batch larger than the account accepts. */
export function assertBatchSize(field: string, count: number, maxBatchSize: number): void {
  if (count > maxBatchSize) throw ValidationError.forField(field, `at most ${maxBatchSize} ${field} per request (got ${count})`);
}

/** The lead's tags after adding (kept in order, never replaced) and removing. */
export function nextTags(existing: readonly string[], add: readonly string[] | undefined, remove: readonly string[] | undefined): string[] {
  const tags = [...existing];
  for (const tag of trimmed(add)) if (!tags.includes(tag)) tags.push(tag);
  const removed = trimmed(remove);
  return tags.filter((tag) => !removed.includes(tag));
}

/** The lead's fields after a write: given ones set, `null` ones gone. */
export function nextFields(
  existing: Readonly<Record<string, CrmFieldValue>>,
  changes: Readonly<Record<string, CrmFieldValue>> | undefined,
): Record<string, CrmFieldValue> {
  return Object.fromEntries(Object.entries({ ...existing, ...changes }).filter(([, value]) => value !== null));
}

function trimmed(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).map((tag) => tag.trim());
}
