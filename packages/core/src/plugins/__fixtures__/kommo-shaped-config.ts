/**
 * A configuration schema shaped like the Kommo adapter's will be: a subdomain, an `auth` that is
 * either a long-lived token or an OAuth client (a discriminated union with secrets in both
 * branches), an optional webhook secret, secrets inside arrays and records, and defaults.
 */
import { z } from 'zod';
import { secret } from '../secrets.js';

export const kommoShapedConfigSchema = z.object({
  subdomain: z.string().regex(/^[a-z0-9-]+$/, 'must be the account subdomain (letters, digits, dashes)'),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('long_lived'), token: secret(z.string().min(1)) }),
    z.object({
      type: z.literal('oauth'),
      clientId: z.string().min(1),
      clientSecret: secret(z.string().min(1)),
      redirectUri: z.url(),
      refreshToken: secret(z.string()).optional(),
    }),
  ]),
  webhookSecret: secret(z.string().min(16)).nullable().default(null),
  stageMapping: z.record(z.string(), z.object({ pipelineId: z.string(), statusId: z.string() })).default({}),
  extraHeaders: z.array(z.object({ name: z.string(), value: secret(z.string()) })).default([]),
  signingKeys: z.record(z.string(), secret(z.string())).default({}),
  requestsPerSecond: z.number().positive().max(7).default(7),
});

export type KommoShapedConfig = z.infer<typeof kommoShapedConfigSchema>;
