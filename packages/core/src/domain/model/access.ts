/**
 * What the REST API and the webhooks keep about callers (SPEC §7): API keys (stored hashed),
 * OAuth tokens (stored encrypted), and the responses replayed for an `Idempotency-Key`.
 */
import { z } from 'zod';
import { idSchema, instantSchema, jsonValueSchema } from './common.js';

/** A tenant's API key. The key itself is never stored: only its public prefix and a hash. */
export const apiKeySchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  /** A label for operators (`console`, `billing import job`). */
  name: z.string().trim().min(1).max(100),
  /** The public beginning of the key, unique across tenants: how a presented key is found. */
  prefix: z
    .string()
    .min(6)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be letters, digits, _ or -' }),
  /** A hash of the whole key (e.g. `sha256:<hex>`), compared by the caller in constant time. */
  hash: z.string().min(16).max(512),
  scopes: z.array(z.string().min(1).max(100)).max(50),
  createdAt: instantSchema,
  lastUsedAt: instantSchema.nullable(),
  revokedAt: instantSchema.nullable(),
});
export type ApiKey = z.output<typeof apiKeySchema>;

/** A tenant's tokens for one provider, encrypted by the caller (AES-GCM): never stored in clear. */
export const oauthTokenSchema = z.object({
  tenantId: idSchema,
  /** `kommo`, `googleCalendar`, … */
  provider: z.string().min(1).max(50),
  /** The encrypted token set, e.g. base64 of IV + ciphertext + tag. */
  ciphertext: z.string().min(1).max(20_000),
  /** When the access token expires, for refreshing ahead of time; `null` when unknown. */
  expiresAt: instantSchema.nullable(),
  updatedAt: instantSchema,
  /** Optimistic-locking version: two processes refreshing at once cannot overwrite each other. */
  version: z.number().int().nonnegative(),
});
export type OAuthToken = z.output<typeof oauthTokenSchema>;

/** The response an `Idempotency-Key` replays. */
export const idempotentResponseSchema = z.object({
  status: z.number().int().min(100).max(599),
  body: jsonValueSchema,
  headers: z.record(z.string(), z.string().max(2000)).default({}),
});
export type IdempotentResponse = z.output<typeof idempotentResponseSchema>;
