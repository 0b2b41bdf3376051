/**
 * `updateLeads`: the whole batch in one `PATCH /api/v4/leads` — names, stage moves, custom fields
 * by id, and tags **only** through `tags_to_add` / `tags_to_delete` (`_embedded.tags` would
 * replace the lead's tags, people's included). Every patch is checked before the request: an
 * unknown stage or field is a `ValidationError` naming it and nothing is sent.
 *
 * When Kommo still rejects a status id (a status deleted since the catalog was read), the
 * pipelines are read again and each stage that the tenant configured by name is resolved again;
 * the batch is sent once more with the new ids — once.
 */
import { NotFoundError, ValidationError, type CallOptions, type CrmLeadPatch, type CrmStageRef } from '@sdr/core';
import { kommoPatchedSchema, type KommoCustomFieldValues, type KommoLeadPatch } from './kommo-api.js';
import type { KommoCatalog } from './kommo-catalog.js';
import { checkBatchSize, kommoId, signalOf, type KommoContext } from './kommo-context.js';
import { resolveKommoStages, type KommoStageNames, type ResolvedKommoStages } from './kommo-stages.js';

/** One patch as Kommo's body: tags added and removed, never replaced. Pure. */
export function toKommoLeadPatch(patch: CrmLeadPatch, fields: KommoCustomFieldValues[] | undefined, stage?: CrmStageRef): KommoLeadPatch {
  const body: KommoLeadPatch = { id: Number(patch.leadId) };
  if (patch.name !== undefined) body.name = patch.name;
  const target = stage ?? patch.stage;
  if (target !== undefined) {
    body.status_id = Number(target.statusId);
    body.pipeline_id = Number(target.pipelineId);
  }
  if (fields !== undefined && fields.length > 0) body.custom_fields_values = fields;
  if (patch.tagsToAdd !== undefined && patch.tagsToAdd.length > 0)
    body.tags_to_add = [...new Set(patch.tagsToAdd)].map((name) => ({ name }));
  if (patch.tagsToRemove !== undefined && patch.tagsToRemove.length > 0) {
    body.tags_to_delete = [...new Set(patch.tagsToRemove)].map((name) => ({ name }));
  }
  return body;
}

/** Checks what the catalog does not need to: ids, tags. Throws a `ValidationError` or `NotFoundError`. */
export function checkPatches(patches: readonly CrmLeadPatch[]): void {
  const errors: { field: string; message: string }[] = [];
  patches.forEach((patch, index) => {
    const field = patches.length === 1 ? 'patch' : `patches.${index}`;
    for (const tag of [...(patch.tagsToAdd ?? []), ...(patch.tagsToRemove ?? [])]) {
      if (tag.trim() === '') errors.push({ field: `${field}.tags`, message: 'a tag must not be empty' });
    }
    const both = (patch.tagsToAdd ?? []).filter((tag) => (patch.tagsToRemove ?? []).includes(tag));
    if (both.length > 0) errors.push({ field: `${field}.tags`, message: `"${both.join('", "')}" is both added and removed` });
  });
  if (errors.length > 0) throw new ValidationError(errors);
  const unknown = patches.find((patch) => kommoId(patch.leadId) === undefined);
  if (unknown !== undefined) throw new NotFoundError('kommo lead', unknown.leadId);
}

/** Options of the update part. */
export interface KommoUpdatesOptions {
  readonly context: KommoContext;
  readonly catalog: KommoCatalog;
  /** The tenant's stage names, to resolve again when Kommo rejects a status id. */
  readonly stageNames?: KommoStageNames | undefined;
}

/** Sends one batch of patches (after every check). */
export function createKommoUpdates(options: KommoUpdatesOptions): {
  updateLeads(patches: readonly CrmLeadPatch[], callOptions?: CallOptions): Promise<void>;
} {
  const { context, catalog } = options;
  let resolved: ResolvedKommoStages | null = null;

  const resolve = async (fresh: boolean, callOptions?: CallOptions): Promise<ResolvedKommoStages | null> => {
    if (options.stageNames === undefined) return null;
    const pipelines = fresh ? await catalog.loadPipelines(callOptions) : await catalog.pipelines(callOptions);
    try {
      return resolveKommoStages(pipelines, options.stageNames);
    } catch {
      return null;
    }
  };

  const fieldOf = (patches: readonly CrmLeadPatch[]) => (path: string) => {
    const [index, ...rest] = path.split('.');
    const name = rest.join('.') === 'status_id' || rest.join('.') === 'pipeline_id' ? 'stage' : rest.join('.');
    return patches.length === 1 ? `patch.${name}` : `patches.${index ?? '?'}.${name}`;
  };

  const send = (patches: readonly CrmLeadPatch[], body: KommoLeadPatch[], callOptions?: CallOptions) =>
    context.request(
      {
        operation: 'leads.update',
        method: 'patch',
        path: 'api/v4/leads',
        json: body,
        schema: kommoPatchedSchema,
        signal: signalOf(callOptions),
      },
      fieldOf(patches),
    );

  return {
    async updateLeads(patches, callOptions) {
      checkBatchSize(context, 'patches', patches.length);
      checkPatches(patches);
      const label = (index: number) => (patches.length === 1 ? 'patch' : `patches.${index}`);
      await catalog.checkStages(
        patches.flatMap((patch, index) => (patch.stage === undefined ? [] : [{ field: `${label(index)}.stage`, stage: patch.stage }])),
        callOptions,
      );
      const fields = await catalog.fieldValues(
        patches.map((patch, index) => ({ field: label(index), fields: patch.fields })),
        callOptions,
      );
      if (patches.length === 0) return;
      resolved ??= await resolve(false, callOptions);
      const before = resolved;
      try {
        await send(
          patches,
          patches.map((patch, index) => toKommoLeadPatch(patch, fields[index])),
          callOptions,
        );
      } catch (error) {
        if (!rejectsStatus(error) || before === null) throw error;
        const after = await resolve(true, callOptions);
        if (after === null) throw error;
        resolved = after;
        const moved = patches.map((patch) => (patch.stage === undefined ? undefined : renamed(patch.stage, before, after)));
        if (moved.every((stage) => stage === undefined)) throw error;
        await send(
          patches,
          patches.map((patch, index) => toKommoLeadPatch(patch, fields[index], moved[index])),
          callOptions,
        );
      }
    },
  };
}

function rejectsStatus(error: unknown): boolean {
  return ValidationError.isInstance(error) && error.fieldErrors.some((field) => field.field.endsWith('.stage'));
}

/** The stage a stale ref stood for, resolved anew (undefined when it was not a configured stage or did not change). */
function renamed(stage: CrmStageRef, before: ResolvedKommoStages, after: ResolvedKommoStages): CrmStageRef | undefined {
  for (const [domainStage, ref] of Object.entries(before.stageMapping)) {
    if (ref.pipelineId !== stage.pipelineId || ref.statusId !== stage.statusId) continue;
    const fresh = after.stageMapping[domainStage as keyof typeof after.stageMapping];
    if (fresh !== undefined && (fresh.statusId !== stage.statusId || fresh.pipelineId !== stage.pipelineId)) return fresh;
  }
  return undefined;
}
