/**
 * What one inbox event means, applied through core's services (the server writes no business
 * rule of its own):
 * - `messages.upsert` from a lead ⇒ `ConversationService.recordInbound` (deduplicated by the
 *   WhatsApp id: the same upsert applied 10 times is one message, one lead);
 * - `messages.upsert` from our own number: the echo of a send we recorded (its id is one of
 *   ours) changes nothing; otherwise a person typed it on the business phone ⇒ recorded as an
 *   outbound message and, unless the tenant turned it off, the lead's automation is paused
 *   (handoff). Our send is recorded once Evolution answers it, and its echo may arrive first: an
 *   unknown id waits `echoGraceMs` after its arrival before it is taken for a person's;
 * - `messages.update` ⇒ the message's delivery state; `connection.update` ⇒ the instance's
 *   connection (see `whatsapp-delivery-state.ts`).
 * Applying an event twice (a worker that crashed before settling it) has the effect of once.
 */
import { parseEvolutionWebhook, type EvolutionWebhookMessage } from '@sdr/adapter-evolution';
import {
  NotFoundError,
  channelDownAlertKind,
  maskPersonalData,
  resolveAlert,
  type Clock,
  type ConversationService,
  type DomainEvents,
  type HandoffService,
  type Logger,
  type Store,
  type Tenant,
} from '@sdr/core';
import type { InboxEvent } from './evolution-inbox.js';
import type { InboundMedia } from './inbound-media.js';
import type { EvolutionWebhookSettingsFor } from './evolution-webhook-settings.js';
import type { WhatsappDeliveryState } from './whatsapp-delivery-state.js';

/** What applying the events needs. */
export interface EvolutionEventDeps {
  readonly store: Store;
  readonly conversation: ConversationService;
  readonly handoff: HandoffService;
  readonly delivery: WhatsappDeliveryState;
  readonly settingsFor: EvolutionWebhookSettingsFor;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the `channel_down` alert's raise and resolve are announced (webhook deliveries, alert channels). */
  readonly events?: DomainEvents | undefined;
  /** How long a message from our number with an id we do not know waits for our send's record (default 15 s). */
  readonly echoGraceMs?: number;
  /** Keeps inbound media and links them in a CRM note (none: media are not kept). */
  readonly media?: InboundMedia | undefined;
}

/** How an event was applied. */
export type EvolutionEventResult =
  | { readonly kind: 'done'; readonly outcome: string }
  /** Not yet: back to the inbox until `until`, without counting a failure. */
  | { readonly kind: 'wait'; readonly until: Date };

const defaultEchoGraceMs = 15_000;

/** Applies one event; throws what failed (the worker retries transient failures). */
export async function applyEvolutionEvent(event: InboxEvent, deps: EvolutionEventDeps): Promise<EvolutionEventResult> {
  const tenant = await deps.store.tenants.get(event.tenantId);
  if (tenant === null) throw new NotFoundError('tenant', event.tenantId);
  const parsed = parseEvolutionWebhook(event.envelope).event;
  const at = deps.clock.now();
  switch (parsed.kind) {
    case 'message':
      return parsed.message.fromMe
        ? applyOwnMessage(tenant, parsed.message, event, deps)
        : applyInbound(tenant, parsed.message, event, deps);
    case 'status': {
      const { update } = parsed;
      const changed = await deps.delivery.recordStatus({
        tenantId: tenant.id,
        providerMessageId: update.providerMessageId,
        status: update.status,
        at,
      });
      return { kind: 'done', outcome: changed ? `status_${update.status}` : 'status_late' };
    }
    case 'connection': {
      const { update } = parsed;
      const state = await deps.delivery.recordConnection({
        tenantId: tenant.id,
        instance: update.instance,
        state: update.state,
        statusReason: update.statusReason,
        at,
      });
      const log = { tenantId: tenant.id, instance: update.instance, state: update.state, statusReason: update.statusReason };
      if (update.state === 'open') {
        deps.logger.info(log, 'WhatsApp connection open');
        await resolveAlert(deps, { tenantId: tenant.id, kind: channelDownAlertKind, key: update.instance, now: at });
      } else deps.logger.warn({ ...log, since: state.since.toISOString() }, 'WhatsApp connection not open: sends stop');
      return { kind: 'done', outcome: `connection_${update.state}` };
    }
    case 'ignored':
      return { kind: 'done', outcome: `ignored_${parsed.reason}` };
  }
}

async function applyInbound(
  tenant: Tenant,
  message: EvolutionWebhookMessage,
  event: InboxEvent,
  deps: EvolutionEventDeps,
): Promise<EvolutionEventResult> {
  // A re-delivery needs no media download: the message is already there.
  const known = await deps.store.messages.findByProviderMessageId(tenant.id, 'whatsapp', message.providerMessageId);
  if (known !== null) {
    // Applied again after a crash: the note may not have been written (its key keeps it single in the CRM).
    if (known.direction === 'inbound') await deps.media?.note({ store: deps.store, tenant, message: known });
    return { kind: 'done', outcome: 'duplicate' };
  }
  const media = message.media !== undefined && deps.media !== undefined ? await deps.media.store({ tenant, message }) : null;
  const result = await deps.conversation.recordInbound({
    tenant,
    from: message.counterpart,
    whatsappLid: message.lid,
    senderName: message.pushName,
    providerMessageId: message.providerMessageId,
    body: bodyOf(message),
    ...(media === null ? {} : { media: [media] }),
    at: message.timestamp ?? event.receivedAt,
  });
  if (result.outcome === 'recorded') await deps.media?.note({ store: deps.store, tenant, message: result.message });
  return { kind: 'done', outcome: result.outcome };
}

async function applyOwnMessage(
  tenant: Tenant,
  message: EvolutionWebhookMessage,
  event: InboxEvent,
  deps: EvolutionEventDeps,
): Promise<EvolutionEventResult> {
  const known = await deps.store.messages.findByProviderMessageId(tenant.id, 'whatsapp', message.providerMessageId);
  if (known !== null) return { kind: 'done', outcome: known.direction === 'outbound' ? 'echo' : 'duplicate' };
  const graceEnds = event.receivedAt.getTime() + (deps.echoGraceMs ?? defaultEchoGraceMs);
  if (deps.clock.now().getTime() < graceEnds) return { kind: 'wait', until: new Date(graceEnds) };

  const found = await deps.conversation.findOrCreateLead({ tenant, from: message.counterpart, whatsappLid: message.lid });
  const recorded = await deps.conversation.recordOutbound({
    tenant,
    leadId: found.lead.id,
    body: bodyOf(message),
    providerMessageId: message.providerMessageId,
    at: message.timestamp ?? event.receivedAt,
  });
  const settings = await deps.settingsFor(tenant.id);
  const pause = settings?.pauseAutomationOnHumanMessage ?? true;
  // Checked on the lead as it is now, so that a retry after a crash still pauses it.
  if (pause && recorded.lead.automation === 'active' && !recorded.lead.optedOut) {
    await deps.handoff.requestHandoff({
      tenant,
      leadId: found.lead.id,
      reason: 'a person wrote to the lead from the business phone',
      requestedBy: 'operator',
    });
    deps.logger.info(
      { tenantId: tenant.id, leadId: found.lead.id, providerMessageId: maskPersonalData(message.providerMessageId) },
      'a message typed on the business phone paused the automation of its lead',
    );
    return { kind: 'done', outcome: 'human_outbound_paused' };
  }
  return { kind: 'done', outcome: recorded.created ? 'human_outbound' : 'duplicate' };
}

/** The text of a message; a media without caption has none; other kinds are named. */
function bodyOf(message: EvolutionWebhookMessage): string {
  if (message.text !== undefined) return message.text;
  if (message.media !== undefined) return '';
  return `[${message.messageType ?? 'message'}]`;
}
