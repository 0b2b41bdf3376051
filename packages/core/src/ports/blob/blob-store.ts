/**
 * # BlobStore v1
 *
 * Where inbound media is kept (SPEC §4.7): the filesystem by default, any object store otherwise.
 *
 * Contract: `put` returns a reference scoped to the tenant; `get` with another tenant's id
 * returns `null`; `delete` is idempotent. Content is immutable once written.
 */
import type { MediaRef } from '../../domain/model/message.js';

export interface StoredBlob extends MediaRef {
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
}

export interface BlobStore {
  readonly contractVersion: 'v1';
  readonly provider: string;
  put(input: {
    readonly tenantId: string;
    readonly contentType: string;
    readonly data: Uint8Array;
    readonly fileName?: string;
  }): Promise<StoredBlob>;
  get(tenantId: string, ref: string): Promise<{ readonly data: Uint8Array; readonly contentType: string } | null>;
  delete(tenantId: string, ref: string): Promise<boolean>;
}
