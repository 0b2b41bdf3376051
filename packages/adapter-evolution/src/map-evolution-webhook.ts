/**
 * Pure converters from Evolution's webhook `data` to the events the server acts on. Senders are
 * resolved with core's WhatsApp identity helpers (phone JIDs, `@lid` aliases with the phone in
 * `remoteJidAlt` / `senderPn`, the Brazilian 9th digit); texts and media with the content readers.
 */
import { ValidationError, identityFromWhatsApp, parseOrThrow, type LeadIdentity } from '@sdr/core';
import {
  connectionUpdateDataSchema,
  messagesUpdateDataSchema,
  messagesUpsertDataSchema,
  sendMessageDataSchema,
  type EvolutionMessageContent,
  type EvolutionMessageKey,
} from './evolution-api.js';
import { messageMedia, messageText, type EvolutionMediaDescriptor } from './map-evolution-content.js';

/** A WhatsApp message reported by a webhook: one a lead sent us, or one sent from our number. */
export interface EvolutionWebhookMessage {
  /** WhatsApp's id of the message (`key.id`): with the instance, the deduplication key. */
  readonly providerMessageId: string;
  readonly instance: string;
  /**
   * True for messages sent from our number: echoes of our API sends, and messages a person typed
   * on the phone or WhatsApp Web.
   */
  readonly fromMe: boolean;
  /** `messages.upsert`, or `send.message` (an echo of an API send). */
  readonly origin: 'upsert' | 'send';
  /** Who the chat is with (the lead): the sender of an inbound message, the recipient of ours. */
  readonly counterpart: LeadIdentity;
  /** The counterpart's `@lid` alias when any id carried one, to link it to the lead. */
  readonly lid: string | undefined;
  /** The sender's WhatsApp display name (inbound messages only). */
  readonly pushName: string | undefined;
  /** The text: `conversation`, `extendedTextMessage.text`, or the media caption. */
  readonly text: string | undefined;
  readonly media: EvolutionMediaDescriptor | undefined;
  /** Evolution's message type (`conversation`, `imageMessage`, `locationMessage`, …). */
  readonly messageType: string | undefined;
  /** When WhatsApp stamped the message; undefined when the delivery carried no time. */
  readonly timestamp: Date | undefined;
  /** What `fetchEvolutionMedia` needs to download the media (the content without inline base64). */
  readonly source: { readonly key: EvolutionMessageKey; readonly message: EvolutionMessageContent | undefined };
}

/** Delivery states of a message we sent (`played`: a voice note was listened to). */
export type EvolutionMessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/** A status change of a message (`messages.update`). */
export interface EvolutionStatusUpdate {
  readonly providerMessageId: string;
  readonly instance: string;
  readonly status: EvolutionMessageStatus;
  readonly fromMe: boolean | undefined;
}

/** Connection states of an instance. */
export type EvolutionConnectionState = 'open' | 'connecting' | 'close' | 'refused';

/** A change of an instance's connection to WhatsApp (`connection.update`). */
export interface EvolutionConnectionUpdate {
  readonly instance: string;
  readonly state: EvolutionConnectionState;
  /** WhatsApp's disconnect reason code, when given (401: logged out, 515: restart required, …). */
  readonly statusReason: number | undefined;
}

/** Why a delivery carries nothing to act on. Count them; they are answered 2xx. */
export type EvolutionIgnoredReason =
  | 'unknown_event'
  | 'group_chat'
  | 'broadcast'
  | 'newsletter'
  | 'protocol_message'
  | 'unknown_status'
  | 'unknown_state';

/** The normalised event of one delivery. */
export type EvolutionWebhookEvent =
  | { readonly kind: 'message'; readonly message: EvolutionWebhookMessage }
  | { readonly kind: 'status'; readonly update: EvolutionStatusUpdate }
  | { readonly kind: 'connection'; readonly update: EvolutionConnectionUpdate }
  | { readonly kind: 'ignored'; readonly event: string; readonly reason: EvolutionIgnoredReason };

// Messages that are WhatsApp's own bookkeeping, not something a person said.
const bookkeepingTypes = new Set(['protocolMessage', 'senderKeyDistributionMessage', 'messageContextInfo']);

const statusByName: Readonly<Record<string, EvolutionMessageStatus>> = {
  ERROR: 'failed',
  PENDING: 'pending',
  SERVER_ACK: 'sent',
  DELIVERY_ACK: 'delivered',
  READ: 'read',
  PLAYED: 'played',
};
// Baileys' numeric WAMessageStatus, sent by some versions instead of the name.
const statusByNumber: readonly EvolutionMessageStatus[] = ['failed', 'pending', 'sent', 'delivered', 'read', 'played'];
const connectionStates: readonly string[] = ['open', 'connecting', 'close', 'refused'];

/** `messages.upsert` / `send.message` data ⇒ a message event (or ignored). */
export function mapEvolutionMessage(input: {
  readonly data: unknown;
  readonly instance: string;
  readonly origin: 'upsert' | 'send';
}): EvolutionWebhookEvent {
  const event = input.origin === 'upsert' ? 'messages.upsert' : 'send.message';
  const data = parseOrThrow(input.origin === 'upsert' ? messagesUpsertDataSchema : sendMessageDataSchema, input.data, 'data');
  const { key } = data;
  const ignored = (reason: EvolutionIgnoredReason): EvolutionWebhookEvent => ({ kind: 'ignored', event, reason });
  if (key.remoteJid.endsWith('@g.us')) return ignored('group_chat');
  if (key.remoteJid.endsWith('@broadcast')) return ignored('broadcast');
  if (key.remoteJid.endsWith('@newsletter')) return ignored('newsletter');
  const content = data.message ?? undefined;
  const messageType =
    data.messageType ?? (content ? Object.keys(content).find((name) => name !== 'base64' && name !== 'mediaUrl') : undefined);
  if (messageType !== undefined && bookkeepingTypes.has(messageType)) return ignored('protocol_message');
  let resolved: ReturnType<typeof identityFromWhatsApp>;
  try {
    resolved = identityFromWhatsApp({ remoteJid: key.remoteJid, remoteJidAlt: key.remoteJidAlt, senderPn: key.senderPn });
  } catch (error) {
    if (ValidationError.isInstance(error)) {
      throw ValidationError.forField('data.key.remoteJid', error.fieldErrors[0]?.message ?? 'is not a WhatsApp id');
    }
    throw error;
  }
  const fromMe = key.fromMe === true;
  const timestamp =
    data.messageTimestamp === null || data.messageTimestamp === undefined ? undefined : new Date(data.messageTimestamp * 1000);
  const { base64: _inline, ...contentWithoutMedia } = content ?? {};
  return {
    kind: 'message',
    message: {
      providerMessageId: key.id,
      instance: input.instance,
      fromMe,
      origin: input.origin,
      counterpart: resolved.identity,
      lid: resolved.lid,
      pushName: fromMe ? undefined : (data.pushName ?? undefined),
      text: messageText(content),
      media: messageMedia(content),
      messageType,
      timestamp: timestamp !== undefined && !Number.isNaN(timestamp.getTime()) ? timestamp : undefined,
      source: { key, message: content === undefined ? undefined : contentWithoutMedia },
    },
  };
}

/** `messages.update` data ⇒ a status event (or ignored for statuses without meaning). */
export function mapEvolutionStatus(input: { readonly data: unknown; readonly instance: string }): EvolutionWebhookEvent {
  const data = parseOrThrow(messagesUpdateDataSchema, input.data, 'data');
  const status = typeof data.status === 'number' ? statusByNumber[data.status] : statusByName[data.status.toUpperCase()];
  if (status === undefined) return { kind: 'ignored', event: 'messages.update', reason: 'unknown_status' };
  return {
    kind: 'status',
    update: { providerMessageId: data.keyId, instance: input.instance, status, fromMe: data.fromMe ?? undefined },
  };
}

/** `connection.update` data ⇒ a connection event (or ignored for a state not known). */
export function mapEvolutionConnection(input: { readonly data: unknown; readonly instance: string }): EvolutionWebhookEvent {
  const data = parseOrThrow(connectionUpdateDataSchema, input.data, 'data');
  const state = data.state.toLowerCase();
  if (!connectionStates.includes(state)) return { kind: 'ignored', event: 'connection.update', reason: 'unknown_state' };
  return {
    kind: 'connection',
    update: {
      instance: data.instance ?? input.instance,
      state: state as EvolutionConnectionState,
      statusReason: data.statusReason ?? undefined,
    },
  };
}
