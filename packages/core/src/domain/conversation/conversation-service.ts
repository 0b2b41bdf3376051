/**
 * `ConversationService`: conversation ingestion and the lead lifecycle basics (SPEC §4.8) in
 * one place, so that a server or an app wires webhooks and its bot to it and writes no business
 * rule of its own. Each operation is one unit of work; domain events follow the commit.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { FollowUpService } from '../follow-up/follow-up-service.js';
import type { FieldValue } from '../model/common.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';
import { findOrCreateLead, type FindOrCreateLeadInput, type FoundLead } from './lead-directory.js';
import { updateLead, updateLeadFields, updateLeadTags, type UpdateLeadInput } from './lead-updates.js';
import { optOut } from './opt-out.js';
import { recordInbound, type RecordInboundInput, type RecordInboundResult } from './record-inbound.js';
import { recordOutbound, type RecordOutboundInput, type RecordOutboundResult } from './record-outbound.js';

/** Options of `createConversationService`. */
export interface ConversationServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly followUp: FollowUpService;
  /** Where `lead.created`, `lead.opted_out`, `message.received`, `message.sent` and the follow-up events go. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** New entity ids; default random UUIDs. */
  readonly newId?: () => string;
}

/** Conversation ingestion and lead lifecycle. */
export interface ConversationService {
  /** A message from a lead: deduplicated, recorded, and it ends the lead's silence. */
  recordInbound(input: RecordInboundInput): Promise<RecordInboundResult>;
  /** A message the agent sent (not the dispatcher): recorded, and it starts a silence. */
  recordOutbound(input: RecordOutboundInput): Promise<RecordOutboundResult>;
  /** The lead of a phone or channel identity, created when new. */
  findOrCreateLead(input: FindOrCreateLeadInput): Promise<FoundLead>;
  /** Sets qualification fields (`null` clears one). */
  updateFields(input: {
    readonly tenant: Tenant;
    readonly leadId: string;
    readonly fields: Readonly<Record<string, FieldValue>>;
  }): Promise<Lead>;
  /** Adds and removes tags, keeping the others. */
  updateTags(input: {
    readonly tenant: Tenant;
    readonly leadId: string;
    readonly add?: readonly string[];
    readonly remove?: readonly string[];
  }): Promise<Lead>;
  /** Renames the lead and changes its fields and tags together: all of it, or nothing. */
  updateLead(input: UpdateLeadInput): Promise<Lead>;
  /** The lead opted out: nothing more is sent to it. */
  optOut(input: { readonly tenant: Tenant; readonly leadId: string; readonly at?: Date }): Promise<Lead>;
}

/** Creates the conversation service. */
export function createConversationService(options: ConversationServiceOptions): ConversationService {
  const deps: ConversationDeps = {
    store: options.store,
    clock: options.clock,
    followUp: options.followUp,
    events: options.events,
    logger: options.logger ?? noopLogger,
    newId: options.newId ?? randomUUID,
  };
  return {
    recordInbound: (input) => recordInbound(deps, input),
    recordOutbound: (input) => recordOutbound(deps, input),
    findOrCreateLead: (input) => findOrCreateLead(deps, input),
    updateFields: (input) => updateLeadFields(deps, input),
    updateTags: (input) => updateLeadTags(deps, input),
    updateLead: (input) => updateLead(deps, input),
    optOut: (input) => optOut(deps, input),
  };
}
