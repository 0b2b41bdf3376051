/**
 * The configuration of a tenant's alert channel, per type: what is accepted (each problem named
 * by its field, under `config.`), which fields are secret (sealed at rest, never shown), and the
 * channel a configuration sends through.
 */
import { toFieldErrors, ValidationError } from '@sdr/core';
import { z } from 'zod';
import { unprocessable } from '../integrations/integration-service.js';
import { assertWebhookUrl } from '../webhooks/webhook-service.js';
import type { AlertChannel } from './alert-channel.js';

/** The channel types a tenant can add. */
export const alertChannelTypes = ['slack', 'telegram', 'webhook', 'email'] as const;
/** A channel type. */
export type AlertChannelType = (typeof alertChannelTypes)[number];

/** What a secret field shows in every answer. */
export const redacted = '[redacted]';

const httpsUrl = (hosts: RegExp, example: string) =>
  z
    .string()
    .max(2000)
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && hosts.test(url.hostname) && url.username === '' && url.password === '';
      } catch {
        return false;
      }
    }, `must be an https URL like ${example}`);
const email = z.email().max(320);

const schemas = {
  slack: z.strictObject({
    // A Slack incoming webhook; the host is fixed so that the URL cannot aim the server at anything else.
    webhookUrl: httpsUrl(/^hooks\.slack\.com$/, 'https://hooks.slack.com/services/…'),
  }),
  telegram: z.strictObject({
    botToken: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must be a bot token as BotFather gives it (<digits>:<letters>)'),
    chatId: z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'must be a numeric chat id or an @channel name'),
  }),
  webhook: z.strictObject({
    url: z.string().min(1).max(2000),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be a signing secret: whsec_ and at least 24 random bytes in base64'),
  }),
  email: z.strictObject({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    security: z.enum(['tls', 'starttls', 'none']).describe('tls: TLS from the start (465); starttls: upgrade required (587); none'),
    user: z.string().min(1).max(320).optional(),
    password: z.string().min(1).max(1000).optional(),
    from: email,
    to: z.array(email).min(1).max(20),
  }),
} as const;

/** The secret fields of each type: sealed at rest, shown as `[redacted]`. */
export const secretFields: Readonly<Record<AlertChannelType, readonly string[]>> = {
  slack: ['webhookUrl'],
  telegram: ['botToken'],
  webhook: ['secret'],
  email: ['password'],
};

/** A validated configuration split into what is stored in clear and what is sealed. */
export interface SplitConfig {
  readonly open: Record<string, unknown>;
  readonly secret: Record<string, unknown>;
}

/** Validates `config` for `type`; a 422 `ValidationError` naming each offending field under `config.`. */
export function parseChannelConfig(type: AlertChannelType, config: unknown): SplitConfig {
  const result = schemas[type].safeParse(config);
  if (!result.success) throw unprocessable(new ValidationError(toFieldErrors(result.error.issues, 'config')));
  const parsed = result.data as Record<string, unknown>;
  if (type === 'webhook') {
    try {
      assertWebhookUrl(String(parsed['url']));
    } catch (error) {
      if (ValidationError.isInstance(error))
        throw unprocessable(ValidationError.forField('config.url', error.fieldErrors[0]?.message ?? 'is not valid'));
      throw error;
    }
  }
  if (type === 'email' && (parsed['user'] === undefined) !== (parsed['password'] === undefined))
    throw unprocessable(
      ValidationError.forField('config.password', 'user and password come together (or neither, for a relay without login)'),
    );
  const open: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(parsed)) (secretFields[type].includes(field) ? secret : open)[field] = value;
  return { open, secret };
}

/** The configuration an answer shows: the open fields, and each secret one that is set as `[redacted]`. */
export function redactedConfig(
  type: AlertChannelType,
  open: Record<string, unknown>,
  secret: Record<string, unknown>,
): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...open };
  for (const field of secretFields[type]) if (secret[field] !== undefined) shown[field] = redacted;
  return shown;
}

/** The channel a stored configuration sends through. */
export function channelOf(type: AlertChannelType, config: Record<string, unknown>): AlertChannel {
  return { ...config, kind: type } as AlertChannel;
}
