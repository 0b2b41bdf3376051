/**
 * `HandoffService` (SPEC §4.4): a person takes the conversation over. In **one unit of work**:
 * automation `paused_handoff`, pending re-engagements cancelled, stage `human_handoff` (the CRM
 * card moves if the stage is mapped) — all by the follow-up engine, whose rules are not repeated
 * here — plus the handoff note, written as a `lead.note_added` outbox entry that the CRM sync
 * delivers once (its key names the handoff). `handoff.requested` is emitted after the commit.
 *
 * Idempotent per handoff: asking again while the lead is already handed off writes no second
 * note. An operator's `resume` puts the lead back under automation.
 */
import { z } from 'zod';
import { NotFoundError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import { commitWithEvents } from '../events/after-commit.js';
import type { FollowUpService } from '../follow-up/follow-up-service.js';
import type { HandoffRequester } from '../follow-up/follow-up-types.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import type { Tenant } from '../model/tenant.js';
import { appendCrmNoteEntry } from '../sync/crm-outbox-entries.js';
import { buildHandoffNote, handoffNoteKey, type HandoffNote } from './handoff-note.js';

/** Options of `createHandoffService`. */
export interface HandoffServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Pauses automation, cancels re-engagements and moves the stage, in the handoff's unit of work. */
  readonly followUp: FollowUpService;
  /** Where `handoff.requested`, `handoff.resumed` and the follow-up's events go. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
}

/** A request to hand a lead over to a person. */
export interface RequestHandoffInput {
  readonly tenant: Tenant;
  readonly leadId: string;
  /** Why (shown in the note), 1–500 characters. */
  readonly reason: string;
  readonly requestedBy: HandoffRequester;
  /** What the person should do next; suggested from the situation when absent. */
  readonly nextStep?: string | null;
  /** When it was asked for; defaults to the clock. */
  readonly at?: Date;
}

/** What a handoff request did. */
export interface HandoffResult {
  readonly lead: Lead;
  /** The note written for this handoff, with its idempotency key; `null` when the lead was already handed off. */
  readonly note: (HandoffNote & { readonly key: string }) | null;
  readonly alreadyHandedOff: boolean;
}

/** Handoff to a person and back. */
export interface HandoffService {
  requestHandoff(input: RequestHandoffInput): Promise<HandoffResult>;
  /** An operator gives the lead back to automation; `resumed: false` when it was not paused. */
  resume(input: {
    readonly tenant: Tenant;
    readonly leadId: string;
    readonly at?: Date;
  }): Promise<{ readonly lead: Lead; readonly resumed: boolean }>;
}

const requestSchema = z.object({
  reason: z.string().trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' }),
  requestedBy: z.enum(['agent', 'lead', 'operator']),
  nextStep: z.string().trim().max(500, { message: 'must be at most 500 characters' }).nullish(),
});

/** Creates the handoff service. */
export function createHandoffService(options: HandoffServiceOptions): HandoffService {
  const { store, clock, followUp } = options;
  const logger = options.logger ?? noopLogger;

  return {
    async requestHandoff(input) {
      const request = parseOrThrow(requestSchema, { reason: input.reason, requestedBy: input.requestedBy, nextStep: input.nextStep });
      const { tenant, leadId } = input;
      // One instant for every attempt of the unit of work: the note's key must not change on a retry.
      const at = input.at ?? clock.now();
      const { result } = await commitWithEvents({ store, events: options.events, logger }, async (tx) => {
        const before = await tx.leads.get(tenant.id, leadId);
        if (before === null) throw new NotFoundError('lead', leadId);
        const handled = await followUp.handleWithin(tx, {
          tenant,
          leadId,
          lead: before,
          event: { type: 'handoff', reason: request.reason, requestedBy: request.requestedBy },
          now: at,
        });
        if (before.automation === 'paused_handoff')
          return { result: { lead: handled.lead, note: null, alreadyHandedOff: true }, events: handled.events };
        const note = buildHandoffNote({
          lead: handled.lead,
          config: tenant,
          reason: request.reason,
          requestedBy: request.requestedBy,
          at,
          appointment: await nextMeeting(tx, tenant, leadId, at),
          messages:
            tenant.handoff.lastMessages === 0
              ? []
              : await tx.messages.listByLead(tenant.id, leadId, { limit: tenant.handoff.lastMessages }),
          nextStep: request.nextStep ?? null,
        });
        const key = handoffNoteKey(leadId, at);
        await appendCrmNoteEntry(tx, { tenantId: tenant.id, leadId, note: { key, text: note.text } });
        return { result: { lead: handled.lead, note: { ...note, key }, alreadyHandedOff: false }, events: handled.events };
      });
      logger.info(
        { tenantId: tenant.id, leadId, requestedBy: request.requestedBy, alreadyHandedOff: result.alreadyHandedOff },
        'handoff requested',
      );
      return result;
    },

    async resume(input) {
      const result = await followUp.handle({
        tenant: input.tenant,
        leadId: input.leadId,
        event: { type: 'resume' },
        ...(input.at ? { now: input.at } : {}),
      });
      return { lead: result.lead, resumed: result.decision.ignored === undefined };
    },
  };
}

/** The lead's earliest meeting still ahead, if any. */
async function nextMeeting(tx: Repositories, tenant: Tenant, leadId: string, at: Date): Promise<Appointment | null> {
  const scheduled = await tx.appointments.listByLead(tenant.id, leadId, { statuses: ['scheduled'] });
  const ahead = scheduled.filter((appointment) => appointment.end > at).sort((a, b) => a.start.getTime() - b.start.getTime());
  return ahead[0] ?? null;
}
