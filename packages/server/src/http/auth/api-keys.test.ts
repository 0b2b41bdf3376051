import { describe, expect, it } from 'vitest';
import { VirtualClock } from '@sdr/core';
import { createInMemoryStore } from '@sdr/core/testing';
import { apiKeyMatches, apiKeyPrefixOf, createTenantApiKey, generateApiKey, hashApiKey, sha256Hex } from './api-keys.js';

describe('API keys', () => {
  it('generates sdr_<prefix>_<secret> keys with a 12-character base62 prefix and a 256-bit secret', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey());
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(/^sdr_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect(apiKeyPrefixOf(key)).toBe(prefix);
      expect(hash).toBe(`sha256:${sha256Hex(key)}`);
      expect(apiKeyMatches(key, hash)).toBe(true);
    }
    expect(new Set(keys.map((generated) => generated.prefix)).size).toBe(50);
  });

  it('refuses keys of another shape and other keys', () => {
    const { key, hash } = generateApiKey();
    expect(apiKeyPrefixOf('Bearer x')).toBeNull();
    expect(apiKeyPrefixOf(`sdr_short_${'a'.repeat(43)}`.replace('short', 'abc'))).toBeNull();
    expect(apiKeyMatches(`${key}x`, hash)).toBe(false);
    expect(apiKeyMatches(key, 'sha256:00')).toBe(false);
    // The operator key's hash is configured as bare hex.
    expect(apiKeyMatches('operator', sha256Hex('operator'))).toBe(true);
    expect(hashApiKey('operator')).toBe(`sha256:${sha256Hex('operator')}`);
  });

  it('createTenantApiKey stores the hash and the prefix, never the key', async () => {
    const clock = new VirtualClock('2026-03-02T12:00:00Z');
    const store = createInMemoryStore({ clock });
    const tenantId = crypto.randomUUID();
    const { apiKey, key } = await createTenantApiKey(store.apiKeys, { tenantId, name: 'seed', clock });
    expect(apiKey).toMatchObject({ tenantId, name: 'seed', hash: hashApiKey(key), revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(store.dump().apiKeys)).not.toContain(key);
  });
});
