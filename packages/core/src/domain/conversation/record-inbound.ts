/**
 * Ingesting what a lead wrote (SPEC §4.8). Webhooks are re-delivered, so a message whose
 * provider id is already stored changes nothing; messages we sent that echo back (`fromMe`)
 * are not inbound. A new inbound message updates `lastInboundAt` and cancels the pending
 * re-engagements (rule 4 of §4.2) in the same unit of work, then `message.received` tells the
 * app's bot (or the built-in agent) to reply.
 */
import type { Repositories } from '../../ports/repositories/repositories.js';
import { commitWithEvents, deferred, type DeferredEvent } from '../events/after-commit.js';
import type { Lead } from '../model/lead.js';
import type { Channel, MediaRef, Message } from '../model/message.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';
import { findOrCreateLeadWithin, type LeadContact } from './lead-directory.js';

/** A message received on a channel. */
export interface RecordInboundInput {
  readonly tenant: Tenant;
  readonly from: LeadContact;
  readonly whatsappLid?: string | undefined;
  /** The sender's display name (`pushName`), given to a lead that has no name yet. */
  readonly senderName?: string | null | undefined;
  readonly channel?: Channel;
  /** The provider's message id: the dedupe key of re-delivered webhooks. */
  readonly providerMessageId: string | null;
  readonly body: string;
  readonly media?: readonly MediaRef[];
  /** Sent by us (an echo of our own send): not inbound, nothing is recorded. */
  readonly fromMe?: boolean;
  /** When the lead sent it; defaults to the clock. */
  readonly at?: Date;
}

/** What happened to an inbound message. */
export type RecordInboundResult =
  | { readonly outcome: 'recorded'; readonly message: Message; readonly lead: Lead; readonly leadCreated: boolean }
  /** Its provider id was already stored: nothing changed. */
  | { readonly outcome: 'duplicate'; readonly message: Message }
  /** Our own message echoed back: nothing changed. */
  | { readonly outcome: 'echo' };

/** Records an inbound message and runs what follows from it. */
export async function recordInbound(deps: ConversationDeps, input: RecordInboundInput): Promise<RecordInboundResult> {
  if (input.fromMe === true) return { outcome: 'echo' };
  const { result } = await commitWithEvents(deps, (tx) => recordInboundWithin(tx, deps, input), { retryDuplicates: true });
  return result;
}

async function recordInboundWithin(
  tx: Repositories,
  deps: ConversationDeps,
  input: RecordInboundInput,
): Promise<{ readonly result: RecordInboundResult; readonly events: readonly DeferredEvent[] }> {
  const { tenant } = input;
  const channel = input.channel ?? 'whatsapp';
  const at = input.at ?? deps.clock.now();
  // Checked before the lead is looked up, so that a re-delivery cannot even create a lead.
  if (input.providerMessageId !== null) {
    const known = await tx.messages.findByProviderMessageId(tenant.id, channel, input.providerMessageId);
    if (known) return { result: { outcome: 'duplicate', message: known }, events: [] };
  }
  const found = await findOrCreateLeadWithin(tx, deps, {
    tenant,
    from: input.from,
    whatsappLid: input.whatsappLid,
    name: input.senderName,
  });
  const appended = await tx.messages.append({
    id: deps.newId(),
    tenantId: tenant.id,
    leadId: found.lead.id,
    direction: 'inbound',
    channel,
    body: input.body,
    media: [...(input.media ?? [])],
    providerMessageId: input.providerMessageId,
    scheduledMessageId: null,
    status: 'received',
    createdAt: at,
  });
  if (!appended.created) return { result: { outcome: 'duplicate', message: appended.message }, events: found.events };
  const lead =
    !found.lead.lastInboundAt || found.lead.lastInboundAt < at
      ? await tx.leads.update({ ...found.lead, lastInboundAt: at, updatedAt: at })
      : found.lead;
  const followUp = await deps.followUp.handleWithin(tx, {
    tenant,
    leadId: found.lead.id,
    lead,
    event: { type: 'inbound_received', at },
    now: at,
  });
  const received = deferred('message.received', {
    tenantId: tenant.id,
    at,
    leadId: found.lead.id,
    messageId: appended.message.id,
    channel: appended.message.channel,
  });
  return {
    result: { outcome: 'recorded', message: appended.message, lead: followUp.lead, leadCreated: found.created },
    events: [...found.events, received, ...followUp.events],
  };
}
