/**
 * Message templates (SPEC §3 Template): a key and a locale, several weighted variations, and
 * the variables the bodies may use (`{{leadName}}`). A generic template per kind and locale is
 * the fallback when no specific one exists.
 */
import { z } from 'zod';
import { idSchema, instantSchema, localeSchema } from './common.js';

export const templateVariationSchema = z.object({
  id: z.string().min(1).max(100),
  body: z.string().min(1).max(4096),
  weight: z.number().int().min(1).max(1000).default(1),
  active: z.boolean().default(true),
});
export type TemplateVariation = z.output<typeof templateVariationSchema>;

export const templateSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  /** `reengage_1`, `reminder_24h`, `billing_step`, or a tenant-specific key such as `billing_d-3`. */
  key: z.string().min(1).max(200),
  locale: localeSchema,
  variations: z.array(templateVariationSchema).min(1).max(50),
  /** Variables the bodies may reference; an undeclared one is rejected when saved. */
  variables: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/)).max(50),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  version: z.number().int().nonnegative(),
});
export type Template = z.output<typeof templateSchema>;
