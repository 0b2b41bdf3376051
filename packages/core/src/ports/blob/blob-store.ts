// The BlobStore v1 contract is documented on the `BlobStore` interface below, where the API reference shows it.
import type { MediaRef } from '../../domain/model/message.js';
import type { CallOptions } from '../call-options.js';

export interface StoredBlob extends MediaRef {
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
}

/**
 * Where inbound media is kept (SPEC §4.7): the filesystem by default, any object store otherwise.
 *
 * Contract: `put` returns a reference scoped to the tenant; `get` with another tenant's id
 * returns `null`; `delete` is idempotent. Content is immutable once written. Every method takes
 * `CallOptions` last; an aborted signal rejects with `AbortedError` and writes nothing.
 */
export interface BlobStore {
  readonly contractVersion: 'v1';
  readonly provider: string;

  /** Stores the bytes; the reference returned is scoped to `tenantId` and carries the content's SHA-256. */
  put(
    input: {
      readonly tenantId: string;
      readonly contentType: string;
      readonly data: Uint8Array;
      readonly fileName?: string;
    },
    options?: CallOptions,
  ): Promise<StoredBlob>;

  /**
   * The bytes of `ref`; `null` when it does not exist or belongs to another tenant. A reference
   * that tries to escape its tenant (path traversal) reads nothing (`null` or a `ValidationError`).
   */
  get(tenantId: string, ref: string, options?: CallOptions): Promise<{ readonly data: Uint8Array; readonly contentType: string } | null>;

  /** Deletes `ref`; idempotent: `false` when it was already gone (or is another tenant's). */
  delete(tenantId: string, ref: string, options?: CallOptions): Promise<boolean>;
}
