/**
 * Finding a lead by who wrote, or creating it (identity rules of SPEC §3.1): by canonical phone
 * (the Brazilian 9th digit already folded into E.164), or by a WhatsApp `@lid` alias linked
 * to a lead earlier. A new lead writes its `lead.created` CRM outbox entry in the same unit of
 * work; the entry carries no personal data — the CRM sync projects the lead from the store.
 */
import { ValidationError } from '../../errors/index.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import { commitWithEvents, deferred, type DeferredEvent } from '../events/after-commit.js';
import { appendLeadCrmEntry } from '../sync/lead-crm-outbox.js';
import { PhoneNumber } from '../identity/phone-number.js';
import type { LeadIdentity } from '../identity/whatsapp-jid.js';
import { nameSchema } from '../model/common.js';
import { newLead, type Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** Who a lead is: a phone as people write it, a parsed `PhoneNumber`, or a channel identity. */
export type LeadContact = string | PhoneNumber | LeadIdentity;

/** Input of `findOrCreateLead`. */
export interface FindOrCreateLeadInput {
  readonly tenant: Tenant;
  readonly from: LeadContact;
  /** The WhatsApp `@lid` alias seen with this contact; linked to the lead when it has none. */
  readonly whatsappLid?: string | undefined;
  /** A name to give a lead that has none (WhatsApp's `pushName`); an existing name is kept. */
  readonly name?: string | null | undefined;
}

/** The lead, and whether this call created it. */
export interface FoundLead {
  readonly lead: Lead;
  readonly created: boolean;
}

/** Finds the lead of `from`, or creates it, in its own unit of work. */
export async function findOrCreateLead(deps: ConversationDeps, input: FindOrCreateLeadInput): Promise<FoundLead> {
  const { events: _events, ...found } = await commitWithEvents(deps, (tx) => findOrCreateLeadWithin(tx, deps, input), {
    retryDuplicates: true,
  });
  return found;
}

/** `findOrCreateLead` inside the caller's unit of work; the events wait for its commit. */
export async function findOrCreateLeadWithin(
  tx: Repositories,
  deps: Pick<ConversationDeps, 'clock' | 'newId'>,
  input: FindOrCreateLeadInput,
): Promise<FoundLead & { readonly events: readonly DeferredEvent[] }> {
  const { tenant } = input;
  const now = deps.clock.now();
  const identity = identityOf(input.from, tenant);
  const name = usableName(input.name);
  const lid = input.whatsappLid ?? (identity.kind === 'whatsapp_lid' ? identity.lid : undefined);
  const existing =
    identity.kind === 'phone'
      ? ((await tx.leads.findByPhone(tenant.id, identity.phone)) ?? (lid ? await tx.leads.findByWhatsappLid(tenant.id, lid) : null))
      : await tx.leads.findByWhatsappLid(tenant.id, identity.lid);
  if (existing) {
    const linkLid = lid !== undefined && existing.whatsappLid === null;
    const nameIt = name !== null && existing.name === null;
    if (!linkLid && !nameIt) return { lead: existing, created: false, events: [] };
    const lead = await tx.leads.update({
      ...existing,
      ...(linkLid ? { whatsappLid: lid } : {}),
      ...(nameIt ? { name } : {}),
      updatedAt: now,
    });
    // The CRM shows the lead's name; the WhatsApp alias is ours alone.
    if (nameIt) await appendLeadCrmEntry(tx, { tenantId: tenant.id, leadId: lead.id, type: 'lead.name_changed' });
    return { lead, created: false, events: [] };
  }
  if (identity.kind !== 'phone') {
    throw ValidationError.forField('from', 'is a WhatsApp @lid alias of no known lead, and a new lead needs a phone number');
  }
  const lead = await tx.leads.create(
    newLead({ id: deps.newId(), tenantId: tenant.id, phone: identity.phone, whatsappLid: lid ?? null, name, now }),
  );
  await appendLeadCrmEntry(tx, { tenantId: tenant.id, leadId: lead.id, type: 'lead.created' });
  return { lead, created: true, events: [deferred('lead.created', { tenantId: tenant.id, at: now, leadId: lead.id })] };
}

function identityOf(from: LeadContact, tenant: Pick<Tenant, 'defaultCountry'>): LeadIdentity {
  if (typeof from === 'string')
    return { kind: 'phone', phone: PhoneNumber.parse(from, { defaultCountry: tenant.defaultCountry, field: 'from' }) };
  if (from instanceof PhoneNumber) return { kind: 'phone', phone: from };
  return from;
}

/** A push name is a hint, not input to reject a message over: unusable names are ignored. */
function usableName(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const parsed = nameSchema.safeParse(name);
  return parsed.success ? parsed.data : null;
}
