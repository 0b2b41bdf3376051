import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../__fixtures__/entities.js';
import { createInMemoryBlobStore } from './in-memory-blob-store.js';

describe('createInMemoryBlobStore', () => {
  it('stores immutable bytes scoped to the tenant, with their SHA-256; delete is idempotent', async () => {
    const blobs = createInMemoryBlobStore();
    const [tenantId, otherTenantId] = [newId(), newId()];
    const data = new TextEncoder().encode('audio bytes');
    const stored = await blobs.put({ tenantId, contentType: 'audio/ogg', data, fileName: 'voice.ogg' });
    expect(stored).toMatchObject({
      contentType: 'audio/ogg',
      fileName: 'voice.ogg',
      size: data.byteLength,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    data.fill(0);
    (await blobs.get(tenantId, stored.ref))?.data.fill(0);
    expect(new TextDecoder().decode((await blobs.get(tenantId, stored.ref))?.data)).toBe('audio bytes');
    expect(await blobs.get(otherTenantId, stored.ref)).toBeNull();
    expect(await blobs.delete(otherTenantId, stored.ref)).toBe(false);
    expect(blobs.list(tenantId)).toHaveLength(1);
    expect(await blobs.delete(tenantId, stored.ref)).toBe(true);
    expect(await blobs.delete(tenantId, stored.ref)).toBe(false);
  });
});
