/** Conversation messages (SPEC §3 Message). */
import { z } from 'zod';
import { idSchema, instantSchema } from './common.js';

export const channels = ['whatsapp', 'voice', 'sms'] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

export const messageDirectionSchema = z.enum(['inbound', 'outbound']);
export type MessageDirection = z.infer<typeof messageDirectionSchema>;

export const messageStatusSchema = z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** A stored attachment: a `BlobStore` reference plus what is needed to show it. */
export const mediaRefSchema = z.object({
  ref: z.string().min(1).max(500),
  contentType: z.string().min(1).max(200),
  fileName: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
});
export type MediaRef = z.infer<typeof mediaRefSchema>;

/** Upper bound of a message body, in characters (WhatsApp's own limit is 65 536). */
export const maxMessageLength = 65_536;

export const messageSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  leadId: idSchema,
  direction: messageDirectionSchema,
  channel: channelSchema,
  body: z.string().max(maxMessageLength),
  media: z.array(mediaRefSchema).max(20),
  /** The provider's id; unique per tenant and channel, which deduplicates re-delivered webhooks. */
  providerMessageId: z.string().min(1).max(200).nullable(),
  /** The scheduled message this outbound message was sent for, if any. */
  scheduledMessageId: idSchema.nullable(),
  status: messageStatusSchema,
  createdAt: instantSchema,
});
export type Message = z.output<typeof messageSchema>;
