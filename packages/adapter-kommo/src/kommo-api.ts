/**
 * Zod schemas of Kommo API v4 payloads: what the adapter sends (strict enough that the fake can
 * validate requests with them) and what Kommo answers (lenient: every response field `.nullish()`
 * and unknown keys kept, since Kommo adds fields and omits empty ones).
 */
import { z } from 'zod';

const id = z.number().int();

/** One value of a custom field, as Kommo writes and reads it. */
export const kommoFieldValueSchema = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  enum_id: id.nullish(),
  enum_code: z.string().nullish(),
});

/** A custom field on an entity: by id or by code, `values: null` clears it. */
export const kommoCustomFieldValuesSchema = z.object({
  field_id: id.nullish(),
  field_code: z.string().nullish(),
  field_name: z.string().nullish(),
  values: z.array(kommoFieldValueSchema).nullable(),
});
export type KommoCustomFieldValues = z.infer<typeof kommoCustomFieldValuesSchema>;

export const kommoTagSchema = z.object({ id: id.nullish(), name: z.string() });

/** A lead as Kommo answers it. */
export const kommoLeadSchema = z.object({
  id,
  name: z.string().nullish(),
  price: z.number().nullish(),
  status_id: id.nullish(),
  pipeline_id: id.nullish(),
  updated_at: z.number().nullish(),
  custom_fields_values: z.array(kommoCustomFieldValuesSchema).nullish(),
  _embedded: z
    .object({
      tags: z.array(kommoTagSchema).nullish(),
      contacts: z.array(z.object({ id, is_main: z.boolean().nullish() })).nullish(),
    })
    .nullish(),
});
export type KommoLead = z.infer<typeof kommoLeadSchema>;

/** A contact as Kommo answers it (`with=leads` embeds its lead ids). */
export const kommoContactSchema = z.object({
  id,
  name: z.string().nullish(),
  updated_at: z.number().nullish(),
  custom_fields_values: z.array(kommoCustomFieldValuesSchema).nullish(),
  _embedded: z.object({ leads: z.array(z.object({ id })).nullish() }).nullish(),
});
export type KommoContact = z.infer<typeof kommoContactSchema>;

/** `GET /api/v4/leads` (or 204, an empty list). */
export const kommoLeadListSchema = z.object({ _embedded: z.object({ leads: z.array(kommoLeadSchema) }) });
/** `GET /api/v4/contacts` (or 204). */
export const kommoContactListSchema = z.object({ _embedded: z.object({ contacts: z.array(kommoContactSchema) }) });

export const kommoStatusSchema = z.object({
  id,
  name: z.string(),
  sort: z.number().nullish(),
  type: z.number().nullish(),
  pipeline_id: id.nullish(),
});
export const kommoPipelineSchema = z.object({
  id,
  name: z.string(),
  is_main: z.boolean().nullish(),
  _embedded: z.object({ statuses: z.array(kommoStatusSchema) }),
});
export type KommoPipeline = z.infer<typeof kommoPipelineSchema>;
/** `GET /api/v4/leads/pipelines`. */
export const kommoPipelineListSchema = z.object({ _embedded: z.object({ pipelines: z.array(kommoPipelineSchema) }) });

export const kommoCustomFieldSchema = z.object({
  id,
  name: z.string().nullish(),
  code: z.string().nullish(),
  type: z.string(),
  enums: z.array(z.object({ id, value: z.string() })).nullish(),
});
export type KommoCustomField = z.infer<typeof kommoCustomFieldSchema>;
/** `GET /api/v4/leads/custom_fields` (paged, or 204). */
export const kommoCustomFieldListSchema = z.object({
  _embedded: z.object({ custom_fields: z.array(kommoCustomFieldSchema) }),
  _links: z.object({ next: z.object({ href: z.string() }).nullish() }).nullish(),
});

export const kommoNoteSchema = z.object({
  id,
  entity_id: id,
  note_type: z.string().nullish(),
  params: z.object({ text: z.string().nullish() }).nullish(),
});
export type KommoNote = z.infer<typeof kommoNoteSchema>;
/** `GET /api/v4/leads/notes` (or 204). */
export const kommoNoteListSchema = z.object({ _embedded: z.object({ notes: z.array(kommoNoteSchema) }) });
/** `POST /api/v4/leads/notes` answer. */
export const kommoNoteCreatedSchema = z.object({
  _embedded: z.object({ notes: z.array(z.object({ id, entity_id: id, request_id: z.string().nullish() })) }),
});

/** `POST /api/v4/leads/complex` answer: a top-level array. */
export const kommoComplexCreatedSchema = z.array(
  z.object({
    id,
    contact_id: id.nullish(),
    company_id: id.nullish(),
    request_id: z.array(z.string()).or(z.string()).nullish(),
    merged: z.boolean().nullish(),
  }),
);

/** `POST /api/v4/contacts` answer. */
export const kommoContactCreatedSchema = z.object({ _embedded: z.object({ contacts: z.array(z.object({ id })) }) });

/** `PATCH /api/v4/leads` / `PATCH /api/v4/contacts` answer. */
export const kommoPatchedSchema = z.object({ _embedded: z.record(z.string(), z.array(z.object({ id }))).nullish() });

/** `GET /api/v4/account`. */
export const kommoAccountSchema = z.object({ id, name: z.string().nullish(), subdomain: z.string().nullish() });

/** `POST /oauth2/access_token` answer. */
export const kommoTokenSchema = z.object({
  token_type: z.string().nullish(),
  expires_in: z.number(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
});

/** `POST /api/v4/webhooks` answer. */
export const kommoWebhookCreatedSchema = z.object({
  id: id.nullish(),
  destination: z.string().nullish(),
  settings: z.array(z.string()).nullish(),
});

/** Kommo's `application/problem+json` error body; 400s carry `validation-errors`. */
export const kommoErrorBodySchema = z.object({
  title: z.string().nullish(),
  type: z.string().nullish(),
  status: z.number().nullish(),
  detail: z.string().nullish(),
  'validation-errors': z
    .array(
      z.object({
        request_id: z.union([z.string(), z.number()]).nullish(),
        errors: z.array(z.object({ code: z.string().nullish(), path: z.string().nullish(), detail: z.string().nullish() })).nullish(),
      }),
    )
    .nullish(),
});
export type KommoErrorBody = z.infer<typeof kommoErrorBodySchema>;

/** One lead of `POST /api/v4/leads/complex`. */
export interface KommoComplexLead {
  name?: string;
  status_id?: number;
  pipeline_id?: number;
  custom_fields_values?: KommoCustomFieldValues[];
  _embedded: {
    tags?: { name: string }[];
    /** A new contact, or an existing one by id. */
    contacts: ({ name?: string; custom_fields_values: KommoCustomFieldValues[] } | { id: number })[];
  };
}

/** One lead of `PATCH /api/v4/leads`. Tags only through `tags_to_add` / `tags_to_delete`. */
export interface KommoLeadPatch {
  id: number;
  name?: string;
  status_id?: number;
  pipeline_id?: number;
  custom_fields_values?: KommoCustomFieldValues[];
  tags_to_add?: { name: string }[];
  tags_to_delete?: { name: string }[];
}

/** The events the adapter subscribes to when it registers its webhook. */
export const kommoWebhookSettings = ['status_lead', 'add_lead', 'update_lead'] as const;
