/**
 * `createInMemoryBlobStore`: a `BlobStore` in memory. References are scoped to the tenant that
 * wrote them; bytes are copied in and out, so content stays immutable whatever callers do with
 * their arrays. A call whose signal has aborted rejects with an `AbortedError` and changes nothing.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors/index.js';
import { idSchema } from '../../domain/model/common.js';
import type { BlobStore, StoredBlob } from '../../ports/blob/blob-store.js';
import { throwIfAborted } from '../../ports/call-options.js';
import { randomId } from '../../internal/random-id.js';
import { settle } from '../../internal/settle.js';

/** The in-memory `BlobStore`, plus inspection for tests. */
export interface InMemoryBlobStore extends BlobStore {
  /** Every stored blob's metadata, in the order written. */
  list(tenantId?: string): StoredBlob[];
  clear(): void;
}

interface Entry {
  readonly tenantId: string;
  readonly blob: StoredBlob;
  readonly data: Uint8Array;
}

const inMemoryBlobProvider = 'in-memory';

/** Creates an empty in-memory `BlobStore`. */
export function createInMemoryBlobStore(): InMemoryBlobStore {
  const entries = new Map<string, Entry>();

  return {
    contractVersion: 'v1',
    provider: inMemoryBlobProvider,

    put: (input, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryBlobProvider, operation: 'put' });
        if (!idSchema.safeParse(input.tenantId).success) throw ValidationError.forField('tenantId', 'must be a UUID');
        if (input.contentType.trim() === '') throw ValidationError.forField('contentType', 'must not be empty');
        const data = input.data.slice();
        const blob: StoredBlob = {
          ref: `${input.tenantId}/${randomId()}`,
          contentType: input.contentType,
          size: data.byteLength,
          sha256: createHash('sha256').update(data).digest('hex'),
          ...(input.fileName === undefined ? {} : { fileName: input.fileName }),
        };
        entries.set(blob.ref, { tenantId: input.tenantId, blob, data });
        return { ...blob };
      }),

    get: (tenantId, ref, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryBlobProvider, operation: 'get' });
        const entry = entries.get(ref);
        if (entry === undefined || entry.tenantId !== tenantId) return null;
        return { data: entry.data.slice(), contentType: entry.blob.contentType };
      }),

    delete: (tenantId, ref, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryBlobProvider, operation: 'delete' });
        const entry = entries.get(ref);
        if (entry === undefined || entry.tenantId !== tenantId) return false;
        entries.delete(ref);
        return true;
      }),

    list: (tenantId) =>
      Array.from(entries.values())
        .filter((entry) => tenantId === undefined || entry.tenantId === tenantId)
        .map((entry) => ({ ...entry.blob })),

    clear: () => entries.clear(),
  };
}
