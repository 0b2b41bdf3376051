/**
 * # ConversationModel v1 (optional)
 *
 * The built-in agent's language model. Applications with their own bot do not need it: they
 * listen to `message.received` events and answer through the services.
 *
 * Contract: `reply` is side-effect free — it proposes a text and actions; the caller applies them
 * through the domain services (which validate them). Failures throw `SdrError`s.
 */
import type { Lead } from '../../domain/model/lead.js';
import type { Message } from '../../domain/model/message.js';

export type ConversationAction =
  | { readonly type: 'handoff'; readonly reason: string }
  | { readonly type: 'book'; readonly start: Date; readonly durationMinutes?: number }
  | { readonly type: 'set_field'; readonly name: string; readonly value: string | number | boolean | null }
  | { readonly type: 'add_tag'; readonly tag: string }
  | { readonly type: 'opt_out' };

export interface ConversationModel {
  readonly contractVersion: 'v1';
  readonly provider: string;
  reply(input: {
    readonly lead: Lead;
    /** The conversation so far, oldest first. */
    readonly messages: readonly Message[];
    readonly locale: string;
    readonly timeZone: string;
    readonly now: Date;
  }): Promise<{ readonly text: string | null; readonly actions: readonly ConversationAction[] }>;
}
