/**
 * `createTemplateService`: saving a tenant's message templates, for every kind of message
 * (re-engagements, reminders, billing steps). A template is checked before it is stored: its
 * placeholders must be well-formed, declared, and fillable by its kind — so a message can never
 * go out with a raw `{{placeholder}}` or an empty hole.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { idSchema, localeSchema } from '../model/common.js';
import { parseOrThrow } from '../model/parse.js';
import { scheduledKinds, scheduledKindSchema, type ScheduledKind } from '../model/scheduled-message.js';
import { templateSchema, templateVariationSchema, type Template } from '../model/template.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { TemplateRepository } from '../../ports/repositories/repositories.js';
import { allowedVariablesFor } from './template-catalog.js';
import { validateTemplateBodies } from './template-engine.js';

/** A template to save. */
export interface SaveTemplateInput {
  readonly tenantId: string;
  /** `reengage_1`, `reminder_24h`, `billing_step`, `billing_d-3`, or a tenant key such as `cobranca_vencida`. */
  readonly key: string;
  readonly locale: string;
  /**
   * The kind of message the template is for: it decides which variables may be used. Inferred
   * from the key when omitted (a kind's own name; `billing_…` ⇒ `billing_step`).
   */
  readonly kind?: ScheduledKind | undefined;
  readonly variations: readonly z.input<typeof templateVariationSchema>[];
  /** The variables the bodies use; each must be one the kind can fill. */
  readonly variables: readonly string[];
  /** The version the caller read: saving over a newer one is a `VersionConflictError`. Omitted ⇒ the current one. */
  readonly expectedVersion?: number | undefined;
}

/** Saves templates; see the module comment. */
export interface TemplateService {
  /** Validates and inserts, or replaces the template with the same key and locale. */
  save(input: SaveTemplateInput): Promise<Template>;
}

/** The kind a template key belongs to, when the key tells: a kind's own name, or `billing_…`. */
export function templateKindOf(key: string): ScheduledKind | undefined {
  if ((scheduledKinds as readonly string[]).includes(key)) return key as ScheduledKind;
  return key.startsWith('billing_') ? 'billing_step' : undefined;
}

const saveTemplateSchema = z.object({
  tenantId: idSchema,
  key: templateSchema.shape.key,
  locale: localeSchema,
  kind: scheduledKindSchema.optional(),
  variations: z
    .array(templateVariationSchema)
    .min(1, { message: 'must have at least one variation' })
    .max(50)
    .refine((variations) => new Set(variations.map((variation) => variation.id)).size === variations.length, {
      message: 'must not repeat a variation id',
    }),
  variables: templateSchema.shape.variables,
  expectedVersion: z.number().int().nonnegative().optional(),
});

/** Creates the template service over the tenant's template repository. */
export function createTemplateService(dependencies: {
  readonly store: { readonly templates: TemplateRepository };
  readonly clock: Clock;
}): TemplateService {
  return {
    async save(input) {
      const request = parseOrThrow(saveTemplateSchema, input);
      const inferred = templateKindOf(request.key);
      const kind = request.kind ?? inferred;
      if (kind === undefined) {
        throw ValidationError.forField(
          'kind',
          `cannot tell which kind of message "${request.key}" is for: give kind (${scheduledKinds.join(', ')})`,
        );
      }
      if (inferred !== undefined && request.kind !== undefined && inferred !== request.kind) {
        throw ValidationError.forField('kind', `is ${request.kind}, but the key "${request.key}" is a ${inferred} template`);
      }
      validateTemplateBodies({ variations: request.variations, declared: request.variables, allowed: allowedVariablesFor(kind) });

      const { templates } = dependencies.store;
      const existing = await templates.get(request.tenantId, request.key, request.locale);
      const now = dependencies.clock.now();
      return templates.save({
        id: existing?.id ?? randomUUID(),
        tenantId: request.tenantId,
        key: request.key,
        locale: request.locale,
        variations: request.variations,
        variables: request.variables,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        version: request.expectedVersion ?? existing?.version ?? 0,
      });
    },
  };
}
