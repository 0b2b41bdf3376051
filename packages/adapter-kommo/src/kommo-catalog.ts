/**
 * The account's catalog, read once and re-read when something is not in it: pipelines with their
 * statuses (to refuse an unknown stage before writing, and to re-resolve stage names) and the
 * leads' custom fields (to refuse an unknown field id — Kommo would answer 200 and change nothing
 * — and to write a select field by its enum id).
 */
import { ValidationError, type CallOptions, type CrmFieldValue, type CrmPipeline, type CrmStageRef } from '@sdr/core';
import { kommoCustomFieldListSchema, kommoPipelineListSchema, type KommoCustomField, type KommoCustomFieldValues } from './kommo-api.js';
import { params, signalOf, type KommoContext } from './kommo-context.js';
import { foldName, isKnownStage } from './kommo-stages.js';

/** The account's pipelines and custom fields, cached. */
export interface KommoCatalog {
  /** Reads the pipelines from Kommo (and caches them). */
  loadPipelines(options?: CallOptions): Promise<CrmPipeline[]>;
  /** The cached pipelines (read when there are none yet). */
  pipelines(options?: CallOptions): Promise<CrmPipeline[]>;
  /** Checks each stage against the cache, re-reading it once when one is missing; throws a `ValidationError` naming it. */
  checkStages(stages: readonly { readonly field: string; readonly stage: CrmStageRef }[], options?: CallOptions): Promise<void>;
  /** Converts each field map to Kommo's values, re-reading the fields once when an id is missing; throws naming the field. */
  fieldValues(
    items: readonly { readonly field: string; readonly fields: Readonly<Record<string, CrmFieldValue>> | undefined }[],
    options?: CallOptions,
  ): Promise<(KommoCustomFieldValues[] | undefined)[]>;
}

const selectTypes = new Set(['select', 'multiselect', 'radiobutton']);

export function createKommoCatalog(context: KommoContext): KommoCatalog {
  let pipelines: CrmPipeline[] | null = null;
  let fields: Map<string, KommoCustomField> | null = null;

  const loadPipelines = async (options?: CallOptions): Promise<CrmPipeline[]> => {
    const answer = await context.request({
      operation: 'pipelines.list',
      method: 'get',
      path: 'api/v4/leads/pipelines',
      schema: kommoPipelineListSchema,
      empty: { _embedded: { pipelines: [] } },
      signal: signalOf(options),
    });
    pipelines = answer._embedded.pipelines.map((pipeline) => ({
      pipelineId: String(pipeline.id),
      name: pipeline.name,
      statuses: [...pipeline._embedded.statuses]
        .sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0))
        .map((status) => ({ statusId: String(status.id), name: status.name })),
    }));
    return pipelines;
  };

  const loadFields = async (options?: CallOptions): Promise<Map<string, KommoCustomField>> => {
    const loaded = new Map<string, KommoCustomField>();
    for (let page = 1; page <= 20; page += 1) {
      const answer = await context.request({
        operation: 'fields.list',
        method: 'get',
        path: 'api/v4/leads/custom_fields',
        searchParams: params([
          ['limit', 250],
          ['page', page],
        ]),
        schema: kommoCustomFieldListSchema,
        empty: { _embedded: { custom_fields: [] } },
        signal: signalOf(options),
      });
      for (const field of answer._embedded.custom_fields) loaded.set(String(field.id), field);
      if (!answer._links?.next) break;
    }
    fields = loaded;
    return loaded;
  };

  return {
    loadPipelines,
    pipelines: async (options) => pipelines ?? loadPipelines(options),
    async checkStages(stages, options) {
      if (stages.length === 0) return;
      let known = pipelines ?? (await loadPipelines(options));
      if (stages.some(({ stage }) => isKnownStage(known, stage) !== 'ok')) known = await loadPipelines(options);
      const errors = stages.flatMap(({ field, stage }) => {
        const verdict = isKnownStage(known, stage);
        if (verdict === 'ok') return [];
        return [
          verdict === 'unknown_pipeline'
            ? { field, message: `Kommo has no pipeline ${stage.pipelineId}` }
            : { field, message: `pipeline ${stage.pipelineId} has no status ${stage.statusId}` },
        ];
      });
      if (errors.length > 0) throw new ValidationError(errors);
    },
    async fieldValues(items, options) {
      const wanted = items.flatMap((item) => Object.keys(item.fields ?? {}));
      if (wanted.length === 0) return items.map(() => undefined);
      let known = fields ?? (await loadFields(options));
      if (wanted.some((id) => !known.has(id))) known = await loadFields(options);
      const errors: { field: string; message: string }[] = [];
      const converted = items.map((item) => {
        if (item.fields === undefined) return undefined;
        const values: KommoCustomFieldValues[] = [];
        for (const [id, value] of Object.entries(item.fields)) {
          const field = known.get(id);
          if (field === undefined) {
            errors.push({ field: `${item.field}.fields.${id}`, message: `Kommo has no lead custom field ${id}` });
            continue;
          }
          const result = toKommoValue(field, value);
          if (typeof result === 'string') errors.push({ field: `${item.field}.fields.${id}`, message: result });
          else values.push(result);
        }
        return values;
      });
      if (errors.length > 0) throw new ValidationError(errors);
      return converted;
    },
  };
}

/** One port value as Kommo's field value, or why it cannot be. */
export function toKommoValue(field: KommoCustomField, value: CrmFieldValue): KommoCustomFieldValues | string {
  if (value === null) return { field_id: field.id, values: null };
  if (selectTypes.has(field.type)) {
    const text = String(value);
    const option =
      (field.enums ?? []).find((candidate) => String(candidate.id) === text) ??
      (field.enums ?? []).find((candidate) => foldName(candidate.value) === foldName(text));
    if (option === undefined) {
      const choices = (field.enums ?? []).map((candidate) => `"${candidate.value}"`).join(', ');
      return `"${text}" is not an option of the select field "${field.name ?? field.id}" (its options: ${choices || 'none'})`;
    }
    return { field_id: field.id, values: [{ enum_id: option.id }] };
  }
  if (field.type === 'checkbox') return { field_id: field.id, values: [{ value: value === true || value === 'true' || value === 1 }] };
  if (field.type === 'numeric') {
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(number)) return `"${String(value)}" is not a number, which field "${field.name ?? field.id}" takes`;
    return { field_id: field.id, values: [{ value: number }] };
  }
  return { field_id: field.id, values: [{ value: typeof value === 'boolean' ? String(value) : value }] };
}
