/**
 * Stages by name: a tenant writes its pipeline and the status of each domain stage as Kommo shows
 * them ("Reunião agendada", "Não interessado"); they are resolved against
 * `GET /api/v4/leads/pipelines` — case- and accent-insensitively, an explicit id winning over a
 * name, and `won`/`lost` defaulting to Kommo's 142/143, present in every pipeline. A name that does
 * not exist is a `ValidationError` that lists the pipeline's real statuses, so the person
 * configuring it sees what to write.
 */
import { ValidationError, stageSchema, type CrmPipeline, type CrmStageRef, type Stage } from '@sdr/core';

/** Kommo's closing statuses, in every pipeline. */
export const kommoWonStatusId = '142';
export const kommoLostStatusId = '143';

/** What the tenant wrote: the pipeline (name or id), and per domain stage a status name or id. */
export interface KommoStageNames {
  readonly pipeline: string | number;
  readonly stages?: Readonly<Partial<Record<Stage, string | number>>> | undefined;
}

/** The resolved mapping: the pipeline's id and each configured domain stage's status. */
export interface ResolvedKommoStages {
  readonly pipelineId: string;
  readonly pipelineName: string;
  readonly stageMapping: Readonly<Partial<Record<Stage, CrmStageRef>>>;
}

/** Folds case and accents ("Reunião Agendada" ⇒ "reuniao agendada"), and runs of spaces. */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase('en')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Resolves names to ids. `field` prefixes the names of the offending settings in the error
 * (`config` ⇒ `config.pipeline`, `config.stages.meeting_scheduled`).
 */
export function resolveKommoStages(pipelines: readonly CrmPipeline[], names: KommoStageNames, field = 'config'): ResolvedKommoStages {
  const pipeline = findByIdOrName(pipelines, names.pipeline, (candidate) => candidate.pipelineId);
  if (pipeline === undefined) {
    const known = pipelines.map((candidate) => `"${candidate.name}" (${candidate.pipelineId})`).join(', ');
    throw ValidationError.forField(
      `${field}.pipeline`,
      `no Kommo pipeline is named or numbered "${String(names.pipeline)}"; the account has ${known || 'no pipeline'}`,
    );
  }
  const mapping: Partial<Record<Stage, CrmStageRef>> = {
    won: { pipelineId: pipeline.pipelineId, statusId: kommoWonStatusId },
    lost: { pipelineId: pipeline.pipelineId, statusId: kommoLostStatusId },
  };
  const errors: { field: string; message: string }[] = [];
  for (const [stage, wanted] of Object.entries(names.stages ?? {})) {
    if (!stageSchema.safeParse(stage).success) {
      errors.push({
        field: `${field}.stages.${stage}`,
        message: `"${stage}" is not a stage (expected one of ${stageSchema.options.join(', ')})`,
      });
      continue;
    }
    const status = findByIdOrName(pipeline.statuses, wanted, (candidate) => candidate.statusId) ?? closingStatus(wanted);
    if (status === undefined) {
      const real = pipeline.statuses.map((candidate) => `"${candidate.name}"`).join(', ');
      errors.push({
        field: `${field}.stages.${stage}`,
        message: `pipeline "${pipeline.name}" has no status "${String(wanted)}"; its statuses are ${real}`,
      });
      continue;
    }
    mapping[stage as Stage] = { pipelineId: pipeline.pipelineId, statusId: status.statusId };
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return { pipelineId: pipeline.pipelineId, pipelineName: pipeline.name, stageMapping: mapping };
}

/** Whether `ref` is a status of a pipeline of the list (won and lost exist in every pipeline). */
export function isKnownStage(pipelines: readonly CrmPipeline[], ref: CrmStageRef): 'ok' | 'unknown_pipeline' | 'unknown_status' {
  const pipeline = pipelines.find((candidate) => candidate.pipelineId === ref.pipelineId);
  if (pipeline === undefined) return 'unknown_pipeline';
  if (ref.statusId === kommoWonStatusId || ref.statusId === kommoLostStatusId) return 'ok';
  return pipeline.statuses.some((status) => status.statusId === ref.statusId) ? 'ok' : 'unknown_status';
}

function closingStatus(wanted: string | number): { readonly statusId: string } | undefined {
  const id = String(wanted).trim();
  return id === kommoWonStatusId || id === kommoLostStatusId ? { statusId: id } : undefined;
}

/** An explicit id wins; otherwise the one name that folds to the same text. */
function findByIdOrName<T extends { readonly name: string }>(
  items: readonly T[],
  wanted: string | number,
  idOf: (item: T) => string,
): T | undefined {
  const text = String(wanted).trim();
  if (/^\d+$/.test(text)) {
    const byId = items.find((item) => idOf(item) === text);
    if (byId !== undefined) return byId;
  }
  const folded = foldName(text);
  return items.find((item) => foldName(item.name) === folded);
}
