/**
 * The payloads of Evolution API v2 this package uses, as zod schemas. Requests are what the
 * adapter sends (the fake Evolution validates them like the real server does); responses and
 * webhooks are parsed leniently — every field the adapter does not need is `.nullish()` and
 * unknown keys pass — because Evolution adds fields between releases.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/**
 * A WhatsApp timestamp in seconds. Evolution sends a number, sometimes a numeric string, and
 * from older stores a protobuf `Long` (`{ low, high }`).
 */
export const evolutionTimestampSchema = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+$/)
    .transform((value) => Number(value)),
  z.object({ low: z.number(), high: z.number() }).transform((long) => long.high * 2 ** 32 + (long.low >>> 0)),
]);

/** The `key` of a WhatsApp message. `remoteJid` is the chat: the other person, also for our own messages. */
export const evolutionMessageKeySchema = z.looseObject({
  id: z.string().min(1),
  remoteJid: z.string().min(1),
  fromMe: z.boolean().nullish(),
  participant: z.string().nullish(),
  /** The other form of `remoteJid` (the phone JID when `remoteJid` is a `@lid`, or the reverse). */
  remoteJidAlt: z.string().nullish(),
  /** The sender's phone JID, sent by some versions when the chat is addressed by `@lid`. */
  senderPn: z.string().nullish(),
  addressingMode: z.string().nullish(),
});
export type EvolutionMessageKey = z.output<typeof evolutionMessageKeySchema>;

const mediaFields = {
  caption: z.string().nullish(),
  mimetype: z.string().nullish(),
  fileName: z.string().nullish(),
  fileLength: z.union([z.number(), z.string(), z.object({ low: z.number(), high: z.number() })]).nullish(),
  url: z.string().nullish(),
  seconds: z.number().nullish(),
};

/** The `message` of a WhatsApp message: one of many kinds; the ones mapped are listed. */
export const evolutionMessageContentSchema = z.looseObject({
  conversation: z.string().nullish(),
  extendedTextMessage: z.looseObject({ text: z.string().nullish() }).nullish(),
  imageMessage: z.looseObject(mediaFields).nullish(),
  videoMessage: z.looseObject(mediaFields).nullish(),
  audioMessage: z.looseObject({ ...mediaFields, ptt: z.boolean().nullish() }).nullish(),
  documentMessage: z.looseObject({ ...mediaFields, title: z.string().nullish() }).nullish(),
  documentWithCaptionMessage: z
    .looseObject({ message: z.looseObject({ documentMessage: z.looseObject({ ...mediaFields, title: z.string().nullish() }).nullish() }) })
    .nullish(),
  stickerMessage: z.looseObject(mediaFields).nullish(),
  /** The media itself, when the webhook was configured with `base64: true`. */
  base64: z.string().nullish(),
  /** A link to the media, when Evolution stores media in S3/MinIO. */
  mediaUrl: z.string().nullish(),
});
export type EvolutionMessageContent = z.output<typeof evolutionMessageContentSchema>;

/** A WhatsApp message as Evolution reports it (webhook `data`, `findMessages` records, send answers). */
export const evolutionMessageSchema = z.looseObject({
  key: evolutionMessageKeySchema,
  pushName: z.string().nullish(),
  message: evolutionMessageContentSchema.nullish(),
  messageType: z.string().nullish(),
  messageTimestamp: evolutionTimestampSchema.nullish(),
  status: z.union([z.string(), z.number()]).nullish(),
  source: z.string().nullish(),
  instanceId: z.string().nullish(),
});
export type EvolutionMessage = z.output<typeof evolutionMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Evolution's error body: `{ status, error, response: { message: [...] } }`. `message` holds
 * strings, or for a number not on WhatsApp `{ jid, exists: false, number }` objects.
 */
export const evolutionErrorBodySchema = z.looseObject({
  status: z.union([z.number(), z.string()]).nullish(),
  error: z.string().nullish(),
  message: z.unknown().nullish(),
  response: z.looseObject({ message: z.unknown().nullish() }).nullish(),
});
export type EvolutionErrorBody = z.output<typeof evolutionErrorBodySchema>;

/** One entry of a `{ exists: false }` answer. */
export const evolutionNotOnWhatsAppSchema = z.looseObject({ exists: z.literal(false), jid: z.string().nullish() });

// ---------------------------------------------------------------------------------------------
// Sending

/** `POST /message/sendText/{instance}`. */
export const sendTextRequestSchema = z.strictObject({
  /** Digits of the number, or a JID (`…@lid`). */
  number: z.string().min(1),
  text: z.string().min(1),
  /** Milliseconds of "typing…" shown before the message is sent; the request blocks meanwhile. */
  delay: z.number().int().nonnegative().optional(),
  linkPreview: z.boolean().optional(),
});
export type SendTextRequest = z.output<typeof sendTextRequestSchema>;

/** Evolution's media kinds for `sendMedia`. */
export const evolutionMediaTypes = ['image', 'video', 'audio', 'document'] as const;
export type EvolutionMediaType = (typeof evolutionMediaTypes)[number];

/** `POST /message/sendMedia/{instance}`: `media` is a URL or the bytes in base64. */
export const sendMediaRequestSchema = z.strictObject({
  number: z.string().min(1),
  mediatype: z.enum(evolutionMediaTypes),
  mimetype: z.string().min(1).optional(),
  caption: z.string().optional(),
  fileName: z.string().min(1).optional(),
  media: z.string().min(1),
  delay: z.number().int().nonnegative().optional(),
});
export type SendMediaRequest = z.output<typeof sendMediaRequestSchema>;

/** The answer to a send (201): the message as accepted; its WhatsApp id is `key.id`. */
export const sendMessageResponseSchema = z.looseObject({
  key: z.looseObject({ id: z.string().min(1), remoteJid: z.string().nullish(), fromMe: z.boolean().nullish() }),
  status: z.union([z.string(), z.number()]).nullish(),
  messageTimestamp: evolutionTimestampSchema.nullish(),
  messageType: z.string().nullish(),
});
export type SendMessageResponse = z.output<typeof sendMessageResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Instance and chat

/** `GET /instance/connectionState/{instance}`. */
export const connectionStateResponseSchema = z.looseObject({
  instance: z.looseObject({ instanceName: z.string().nullish(), state: z.string().min(1) }),
});
export type ConnectionStateResponse = z.output<typeof connectionStateResponseSchema>;

/** `POST /chat/whatsappNumbers/{instance}`. */
export const whatsappNumbersRequestSchema = z.strictObject({ numbers: z.array(z.string().min(1)).min(1) });
export type WhatsappNumbersRequest = z.output<typeof whatsappNumbersRequestSchema>;

/** Its answer: one entry per number; `jid` is the form WhatsApp knows (with or without the BR 9th digit). */
export const whatsappNumbersResponseSchema = z.array(
  z.looseObject({
    exists: z.boolean(),
    jid: z.string().nullish(),
    number: z.string().nullish(),
    name: z.string().nullish(),
    lid: z.string().nullish(),
  }),
);
export type WhatsappNumbersResponse = z.output<typeof whatsappNumbersResponseSchema>;

/**
 * `POST /chat/findMessages/{instance}`: our messages to one chat in a time window. Evolution
 * reads the bounds with `new Date(…)`, so they are ISO instants; `offset` is the page size.
 */
export const findMessagesRequestSchema = z.strictObject({
  where: z.strictObject({
    key: z.strictObject({ remoteJid: z.string().min(1).optional(), fromMe: z.boolean().optional(), id: z.string().min(1).optional() }),
    messageTimestamp: z.strictObject({ gte: z.iso.datetime(), lte: z.iso.datetime() }).optional(),
  }),
  page: z.number().int().positive().optional(),
  offset: z.number().int().positive().optional(),
});
export type FindMessagesRequest = z.output<typeof findMessagesRequestSchema>;

/** Its answer, newest first. */
export const findMessagesResponseSchema = z.looseObject({
  messages: z.looseObject({
    total: z.number().nullish(),
    pages: z.number().nullish(),
    currentPage: z.number().nullish(),
    records: z.array(evolutionMessageSchema),
  }),
});
export type FindMessagesResponse = z.output<typeof findMessagesResponseSchema>;

/** `POST /chat/getBase64FromMediaMessage/{instance}`: the message by key, or whole (no store lookup). */
export const getBase64FromMediaMessageRequestSchema = z.strictObject({
  message: z.looseObject({ key: z.looseObject({ id: z.string().min(1) }), message: z.record(z.string(), z.unknown()).optional() }),
  convertToMp4: z.boolean().optional(),
});
export type GetBase64FromMediaMessageRequest = z.output<typeof getBase64FromMediaMessageRequestSchema>;

/** Its answer (201). */
export const getBase64FromMediaMessageResponseSchema = z.looseObject({
  base64: z.string(),
  mediaType: z.string().nullish(),
  fileName: z.string().nullish(),
  caption: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.unknown().nullish(),
});
export type GetBase64FromMediaMessageResponse = z.output<typeof getBase64FromMediaMessageResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Webhook registration

/** The events the server listens to. */
export const evolutionWebhookEvents = ['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'CONNECTION_UPDATE'] as const;

/** `POST /webhook/set/{instance}` in the nested form of v2.2 and later. */
export const webhookSetRequestSchema = z.strictObject({
  webhook: z.strictObject({
    enabled: z.boolean(),
    url: z.url(),
    /** Sent on every delivery; the key `jwt_key` makes Evolution sign a bearer JWT with its value instead. */
    headers: z.record(z.string(), z.string()).optional(),
    byEvents: z.boolean(),
    base64: z.boolean(),
    events: z.array(z.string().min(1)),
  }),
});
export type WebhookSetRequest = z.output<typeof webhookSetRequestSchema>;

/** Its answer (201): the stored webhook. It echoes the headers — the secret — which are never kept. */
export const webhookSetResponseSchema = z.looseObject({
  id: z.string().nullish(),
  url: z.string().nullish(),
  enabled: z.boolean().nullish(),
  events: z.array(z.string()).nullish(),
});

// ---------------------------------------------------------------------------------------------
// Webhook deliveries

/** Every delivery: `{ event, instance, data, … }`. `apikey` (an instance token) is dropped on parse. */
export const evolutionWebhookEnvelopeSchema = z.looseObject({
  event: z.string().min(1),
  instance: z.string().min(1),
  data: z.unknown(),
  destination: z.string().nullish(),
  date_time: z.string().nullish(),
  sender: z.string().nullish(),
  server_url: z.string().nullish(),
  apikey: z.string().nullish(),
});

/** `messages.upsert` data: one message, from a lead or from our number (`key.fromMe`). */
export const messagesUpsertDataSchema = evolutionMessageSchema;

/** `send.message` data: the message an API send just delivered (always `key.fromMe`). */
export const sendMessageDataSchema = evolutionMessageSchema;

/** `messages.update` data: a status change of a message, `keyId` being its WhatsApp id. */
export const messagesUpdateDataSchema = z.looseObject({
  keyId: z.string().min(1),
  remoteJid: z.string().nullish(),
  fromMe: z.boolean().nullish(),
  participant: z.string().nullish(),
  status: z.union([z.string(), z.number()]),
  instanceId: z.string().nullish(),
  messageId: z.string().nullish(),
});
export type MessagesUpdateData = z.output<typeof messagesUpdateDataSchema>;

/** `connection.update` data. */
export const connectionUpdateDataSchema = z.looseObject({
  instance: z.string().nullish(),
  state: z.string().min(1),
  statusReason: z.number().nullish(),
});
export type ConnectionUpdateData = z.output<typeof connectionUpdateDataSchema>;
