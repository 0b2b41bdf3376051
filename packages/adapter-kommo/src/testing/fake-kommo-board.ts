/**
 * The state of the fake Kommo: pipelines, lead custom fields, leads, contacts and notes, with the
 * rules Kommo applies to writes — `_embedded.tags` replaces a lead's tags while `tags_to_add` /
 * `tags_to_delete` do not; a custom field id Kommo does not know is silently ignored (200, nothing
 * changed); an unknown status or lead is a 400 with `validation-errors`, and nothing of the batch
 * is written.
 */
import type { KommoCustomFieldValues } from '../kommo-api.js';

export interface FakeKommoLead {
  id: number;
  name: string;
  status_id: number;
  pipeline_id: number;
  custom_fields_values: KommoCustomFieldValues[];
  tags: string[];
  contacts: number[];
  updated_at: number;
  /** Times `_embedded.tags` replaced the tags of this lead (Kommo's replacing write). */
  tagReplacements: number;
}

export interface FakeKommoContact {
  id: number;
  name: string;
  updated_at: number;
  custom_fields_values: KommoCustomFieldValues[];
}

export interface FakeKommoNote {
  readonly id: number;
  readonly entity_id: number;
  readonly note_type: string;
  readonly text: string;
}

export interface FakeKommoPipeline {
  readonly id: number;
  readonly name: string;
  statuses: { id: number; name: string; sort: number; type: number }[];
}

export interface FakeKommoField {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly enums?: { readonly id: number; readonly value: string }[];
}

/** One problem of a write, as Kommo lists it. */
export interface FakeKommoProblem {
  readonly request_id: string;
  readonly code: string;
  readonly path: string;
  readonly detail: string;
}

/** The pipelines a fresh fake has: a sales funnel (Portuguese names, as a Brazilian account shows them) and a second one. */
export function defaultFakePipelines(): FakeKommoPipeline[] {
  return [
    {
      id: 7001,
      name: 'Funil de vendas',
      statuses: [
        { id: 70011, name: 'Leads de entrada', sort: 10, type: 1 },
        { id: 70012, name: 'Qualificando', sort: 20, type: 0 },
        { id: 70013, name: 'Reunião agendada', sort: 30, type: 0 },
        { id: 70014, name: 'Não interessado', sort: 40, type: 0 },
        { id: 70015, name: 'Atendimento humano', sort: 50, type: 0 },
        { id: 142, name: 'Venda ganha', sort: 10000, type: 0 },
        { id: 143, name: 'Venda perdida', sort: 11000, type: 0 },
      ],
    },
    {
      id: 7002,
      name: 'Cobrança',
      statuses: [
        { id: 70021, name: 'Em aberto', sort: 10, type: 1 },
        { id: 70022, name: 'Negociando', sort: 20, type: 0 },
        { id: 142, name: 'Pago', sort: 10000, type: 0 },
        { id: 143, name: 'Perdido', sort: 11000, type: 0 },
      ],
    },
  ];
}

/** The lead custom fields of a fresh fake. */
export function defaultFakeFields(): FakeKommoField[] {
  return [
    { id: 800001, name: 'Interesse', type: 'text' },
    { id: 800002, name: 'Orçamento', type: 'text' },
    {
      id: 800003,
      name: 'Origem',
      type: 'select',
      enums: [
        { id: 900001, value: 'WhatsApp' },
        { id: 900002, value: 'Site' },
      ],
    },
  ];
}

/** Applies custom-field values Kommo-style: known fields set (null clears), unknown ones ignored. */
export function applyFieldValues(
  current: KommoCustomFieldValues[],
  changes: readonly KommoCustomFieldValues[],
  fields: readonly FakeKommoField[],
): KommoCustomFieldValues[] {
  const next = current.filter((value) => !changes.some((change) => change.field_id === value.field_id));
  for (const change of changes) {
    const field = fields.find((candidate) => candidate.id === change.field_id);
    if (field === undefined || change.values === null) continue;
    const values = change.values.map((value) => {
      if (value.enum_id === null || value.enum_id === undefined) return value;
      const option = field.enums?.find((candidate) => candidate.id === value.enum_id);
      return { value: option?.value ?? null, enum_id: value.enum_id };
    });
    next.push({ field_id: field.id, field_name: field.name, values });
  }
  return next;
}

/** The digits of a contact's phones (Kommo's search matches digits of phone values). */
export function phoneDigits(contact: FakeKommoContact): string[] {
  return contact.custom_fields_values
    .filter((field) => field.field_code === 'PHONE')
    .flatMap((field) => (field.values ?? []).map((value) => String(value.value ?? '').replace(/\D/g, '')));
}
