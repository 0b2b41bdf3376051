/**
 * Recording what we sent (SPEC §4.8): the agent's own message starts a silence (rule 1 of
 * §4.2); a re-engagement the dispatcher sent continues its silence instead (rules 2 and 3);
 * a reminder starts nothing. The message, `lastOutboundAt` and the follow-up commands are one
 * unit of work.
 */
import { NotFoundError } from '../../errors/index.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import { commitWithEvents, deferred, type DeferredEvent } from '../events/after-commit.js';
import type { FollowUpService } from '../follow-up/follow-up-service.js';
import type { FollowUpEvent } from '../follow-up/follow-up-types.js';
import { silenceStartOf } from '../follow-up/silence-rules.js';
import type { Lead } from '../model/lead.js';
import type { Channel, MediaRef, Message } from '../model/message.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** An outbound message to record. */
export interface RecordOutboundInput {
  readonly tenant: Tenant;
  readonly leadId: string;
  readonly body: string;
  readonly channel?: Channel;
  readonly media?: readonly MediaRef[];
  /** The provider's id of the sent message; a second record with the same id is a no-op. */
  readonly providerMessageId?: string | null;
  /** When it was sent; defaults to the clock. */
  readonly at?: Date;
}

/** What recording changed. */
export interface RecordOutboundResult {
  readonly message: Message;
  /** `false` when the provider id was already recorded: nothing was written. */
  readonly created: boolean;
  readonly lead: Lead;
}

/** Records the agent's own outbound message, which starts a silence. */
export async function recordOutbound(deps: ConversationDeps, input: RecordOutboundInput): Promise<RecordOutboundResult> {
  const { events: _events, ...result } = await commitWithEvents(deps, (tx) =>
    recordOutboundWithin(tx, deps.followUp, { ...input, id: deps.newId(), at: input.at ?? deps.clock.now(), scheduledMessage: null }),
  );
  return result;
}

/**
 * Records an outbound message inside `tx`. With `scheduledMessage`, it is the dispatcher's send of
 * that row: the message takes the row's id, so that recording it twice (a crash, a retried
 * `onSettled`) writes it once.
 */
export async function recordOutboundWithin(
  tx: Repositories,
  followUp: FollowUpService,
  input: RecordOutboundInput & { readonly id: string; readonly at: Date; readonly scheduledMessage: ScheduledMessage | null },
): Promise<RecordOutboundResult & { readonly events: readonly DeferredEvent[] }> {
  const { tenant, leadId, at } = input;
  const lead = await tx.leads.get(tenant.id, leadId);
  if (!lead) throw new NotFoundError('lead', leadId);
  // Only a scheduled message's send can have been recorded before under its id (the row's own):
  // a new message's id was generated for this call.
  const known = input.scheduledMessage === null ? null : await tx.messages.get(tenant.id, input.id);
  const appended = known
    ? { message: known, created: false }
    : await tx.messages.append({
        id: input.id,
        tenantId: tenant.id,
        leadId,
        direction: 'outbound',
        channel: input.channel ?? input.scheduledMessage?.channel ?? 'whatsapp',
        body: input.body,
        media: [...(input.media ?? [])],
        providerMessageId: input.providerMessageId ?? null,
        scheduledMessageId: input.scheduledMessage?.id ?? null,
        status: 'sent',
        createdAt: at,
      });
  if (!appended.created) return { message: appended.message, created: false, lead, events: [] };
  const updated =
    lead.lastOutboundAt && lead.lastOutboundAt >= at ? lead : await tx.leads.update({ ...lead, lastOutboundAt: at, updatedAt: at });
  const events: DeferredEvent[] = [
    deferred('message.sent', {
      tenantId: tenant.id,
      at,
      leadId,
      messageId: appended.message.id,
      scheduledMessageId: input.scheduledMessage?.id ?? null,
    }),
  ];
  const event = followUpEventOf(input.scheduledMessage, at);
  if (!event) return { message: appended.message, created: true, lead: updated, events };
  const followed = await followUp.handleWithin(tx, { tenant, leadId, lead: updated, event, now: at });
  return { message: appended.message, created: true, lead: followed.lead, events: [...events, ...followed.events] };
}

/** What a sent message means for the follow-up rules: nothing for reminders. */
function followUpEventOf(scheduled: ScheduledMessage | null, at: Date): FollowUpEvent | undefined {
  if (scheduled === null) return { type: 'outbound_sent', at };
  if (scheduled.kind !== 'reengage_1' && scheduled.kind !== 'reengage_2') return undefined;
  return { type: 'reengagement_sent', kind: scheduled.kind, sentAt: at, silenceStartedAt: silenceStartOf(scheduled) };
}
