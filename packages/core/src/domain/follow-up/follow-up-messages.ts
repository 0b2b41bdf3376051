/**
 * The text of a re-engagement or reminder: the tenant's template for the kind (or the built-in
 * one) in the tenant's locale, filled with the lead's first name and — for reminders — the
 * meeting's date and time in the tenant's zone.
 */
import type { TemplateRepository } from '../../ports/repositories/repositories.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import type { ScheduledKind } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import { renderResolved, resolveTemplate } from '../templates/resolve-template.js';
import { formatLocal } from '../time/local-time.js';

/** A rendered follow-up message. */
export interface RenderedFollowUp {
  readonly text: string;
  readonly templateKey: string;
  readonly variationId: string;
  readonly source: 'tenant' | 'builtin';
}

/** The variables a follow-up template can use, with their values for this lead (and meeting). */
export function followUpVariables(input: {
  readonly tenant: Pick<Tenant, 'name' | 'timeZone' | 'locale'>;
  readonly lead: Pick<Lead, 'name'>;
  readonly appointment?: Pick<Appointment, 'start'> | undefined;
}): Record<string, string> {
  const { tenant, lead, appointment } = input;
  const variables: Record<string, string> = {
    leadName: firstName(lead.name),
    businessName: tenant.name,
  };
  if (appointment) {
    const options = { locale: tenant.locale };
    variables['meetingDate'] = formatLocal(appointment.start, tenant.timeZone, { ...options, style: 'date' });
    variables['meetingTime'] = formatLocal(appointment.start, tenant.timeZone, { ...options, style: 'time' });
    variables['meetingDateTime'] = formatLocal(appointment.start, tenant.timeZone, { ...options, style: 'datetime' });
  }
  return variables;
}

/** Resolves and renders the template of `kind`; `seed` picks the variation (the scheduled message id). */
export async function renderFollowUpMessage(input: {
  readonly templates: TemplateRepository;
  readonly tenant: Pick<Tenant, 'id' | 'name' | 'timeZone' | 'locale'>;
  readonly kind: ScheduledKind;
  readonly lead: Pick<Lead, 'name'>;
  readonly appointment?: Pick<Appointment, 'start'> | undefined;
  readonly seed: string;
}): Promise<RenderedFollowUp> {
  const template = await resolveTemplate({
    templates: input.templates,
    tenantId: input.tenant.id,
    key: input.kind,
    locale: input.tenant.locale,
  });
  const variables = followUpVariables(input);
  const rendered = renderResolved(template, input.seed, variables);
  const text = variables['leadName'] === '' ? tidyAfterEmptyName(rendered.text) : rendered.text;
  return { text, templateKey: template.key, variationId: rendered.variationId, source: template.source };
}

/** The first word of a name; empty when the lead has none. */
function firstName(name: string | null): string {
  return name?.trim().split(/\s+/)[0] ?? '';
}

/**
 * Without a name, `Oi {{leadName}}, tudo bem?` would read `Oi , tudo bem?`: spaces before
 * punctuation go, and a sentence left starting with punctuation loses it and is capitalised.
 */
function tidyAfterEmptyName(text: string): string {
  const tidied = text
    .replace(/[ \t]+([,.!?;:])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/^[\s,.;:]+/, '');
  return tidied.charAt(0).toLocaleUpperCase() + tidied.slice(1);
}
