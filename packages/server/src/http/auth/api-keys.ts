/**
 * Tenant API keys: `sdr_<prefix>_<secret>`. The prefix (12 base62 characters, public) finds the
 * stored key; the secret is 32 random bytes (base64url). Only `sha256:<hex>` of the whole key is
 * stored. A fast hash is enough here — slow hashes (bcrypt, argon2) exist to make guessing
 * low-entropy passwords expensive, and a 256-bit random secret cannot be guessed whatever the
 * hash speed — while it keeps the check of every request cheap.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ApiKey, ApiKeyRepository, Clock } from '@sdr/core';

const keyPrefix = 'sdr_';
const prefixLength = 12;
const secretBytes = 32;
const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A freshly generated key: `key` is shown once and never stored; `prefix` and `hash` are. */
export interface GeneratedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly hash: string;
}

/** The stored form of a key: `sha256:` and the hex SHA-256 of the whole key. */
export function hashApiKey(key: string): string {
  return `sha256:${sha256Hex(key)}`;
}

/** Hex SHA-256 of a text (the form the operator key's hash is configured in). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Generates a new random key. */
export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBase62(prefixLength);
  const key = `${keyPrefix}${prefix}_${randomBytes(secretBytes).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The prefix of a presented key, or `null` when it does not have the shape of one. */
export function apiKeyPrefixOf(presented: string): string | null {
  const match = /^sdr_([A-Za-z0-9]{6,32})_([A-Za-z0-9_-]{32,200})$/.exec(presented);
  return match?.[1] ?? null;
}

/**
 * Whether `presented` hashes to `storedHash` (`sha256:<hex>` or bare hex), compared in constant
 * time: the time taken does not tell how much of the hash matched.
 */
export function apiKeyMatches(presented: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash.replace(/^sha256:/, ''), 'hex');
  const actual = Buffer.from(sha256Hex(presented), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Creates and stores a new key of a tenant. Returns the stored record and the key itself, which
 * the caller shows once: it cannot be recovered afterwards.
 */
export async function createTenantApiKey(
  repository: Pick<ApiKeyRepository, 'create'>,
  input: { readonly tenantId: string; readonly name: string; readonly clock: Clock },
): Promise<{ readonly apiKey: ApiKey; readonly key: string }> {
  const generated = generateApiKey();
  const apiKey = await repository.create({
    id: randomUUID(),
    tenantId: input.tenantId,
    name: input.name,
    prefix: generated.prefix,
    hash: generated.hash,
    scopes: [],
    createdAt: input.clock.now(),
    lastUsedAt: null,
    revokedAt: null,
  });
  return { apiKey, key: generated.key };
}

function randomBase62(length: number): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += base62.charAt(byte % 62);
    }
  }
  return out;
}
