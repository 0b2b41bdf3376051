/**
 * Builders of Kommo webhook deliveries as Kommo sends them: form-encoded, PHP-style keys, numbers
 * as strings, several leads per request, a few legacy v2 fields.
 */

/** One lead of a delivery. */
export interface DeliveryLead {
  readonly id: number | string;
  readonly statusId?: number | string;
  readonly pipelineId?: number | string;
  readonly oldStatusId?: number | string;
  readonly oldPipelineId?: number | string;
}

/** A delivery's body (`application/x-www-form-urlencoded`). */
export function buildKommoDelivery(input: {
  readonly accountId: number | string;
  readonly subdomain?: string;
  readonly status?: readonly DeliveryLead[];
  readonly add?: readonly DeliveryLead[];
  readonly update?: readonly DeliveryLead[];
}): string {
  const form = new URLSearchParams();
  for (const kind of ['status', 'add', 'update'] as const) {
    (input[kind] ?? []).forEach((lead, index) => {
      const prefix = `leads[${kind}][${index}]`;
      form.append(`${prefix}[id]`, String(lead.id));
      if (lead.statusId !== undefined) form.append(`${prefix}[status_id]`, String(lead.statusId));
      if (lead.pipelineId !== undefined) form.append(`${prefix}[pipeline_id]`, String(lead.pipelineId));
      if (lead.oldStatusId !== undefined) form.append(`${prefix}[old_status_id]`, String(lead.oldStatusId));
      if (lead.oldPipelineId !== undefined) form.append(`${prefix}[old_pipeline_id]`, String(lead.oldPipelineId));
      form.append(`${prefix}[last_modified]`, '1893456000');
    });
  }
  form.append('account[id]', String(input.accountId));
  form.append('account[subdomain]', input.subdomain ?? 'acme');
  return form.toString();
}
