/**
 * `createFilesystemBlobStore`: the default `BlobStore` (SPEC §4.7), a directory on disk — by
 * default `blobs/` under the server's data directory. Each blob is two files in its tenant's
 * folder, `<tenantId>/<blobId>` (the bytes) and `<blobId>.json` (content type, file name, size,
 * SHA-256), each written to a temporary name and renamed, so a crash never leaves half a blob
 * readable. References are `<tenantId>/<blobId>` (two UUIDs): anything else names no blob and no
 * path is built from it, so no reference can reach outside its tenant's folder.
 *
 * Blobs larger than `maxBytes` are refused with a `ValidationError` naming the size and the limit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationError, idSchema, throwIfAborted, type BlobStore, type CallOptions, type StoredBlob } from '@sdr/core';

/** Options of `createFilesystemBlobStore`. */
export interface FilesystemBlobStoreOptions {
  /** The directory holding the blobs; created when missing. */
  readonly directory: string;
  /** Largest blob accepted, in bytes (default 16 MiB, WhatsApp's limit for images and audio). */
  readonly maxBytes?: number;
}

/** The filesystem `BlobStore`. */
export interface FilesystemBlobStore extends BlobStore {
  readonly directory: string;
  readonly maxBytes: number;
}

/** The provider name of the filesystem store. */
export const filesystemBlobProvider = 'filesystem';

/** The default size limit, in bytes. */
export const defaultBlobMaxBytes = 16 * 1024 * 1024;

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const refPattern = new RegExp(`^(${uuid})/(${uuid})$`, 'i');

interface Metadata {
  readonly contentType: string;
  readonly fileName?: string;
  readonly size: number;
  readonly sha256: string;
}

/** Creates the store on `directory`. */
export function createFilesystemBlobStore(options: FilesystemBlobStoreOptions): FilesystemBlobStore {
  const directory = resolve(options.directory);
  const maxBytes = options.maxBytes ?? defaultBlobMaxBytes;
  const site = (operation: string) => ({ provider: filesystemBlobProvider, operation });

  /**
   * The files of `ref` when it is one of `tenantId`'s references; `null` for another tenant's, and
   * for anything not shaped like a reference (it names no blob: no path is built from it).
   */
  const filesOf = (tenantId: string, ref: string) => {
    const match = refPattern.exec(ref);
    if (match === null) return null;
    const [, owner = '', blobId = ''] = match;
    if (owner.toLowerCase() !== tenantId.toLowerCase()) return null;
    const folder = join(directory, owner.toLowerCase());
    return { data: join(folder, blobId.toLowerCase()), meta: join(folder, `${blobId.toLowerCase()}.json`) };
  };

  const writeAtomically = async (path: string, content: Uint8Array | string) => {
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, path);
  };

  return {
    contractVersion: 'v1',
    provider: filesystemBlobProvider,
    directory,
    maxBytes,

    async put(input, callOptions?: CallOptions): Promise<StoredBlob> {
      throwIfAborted(callOptions, site('put'));
      if (!idSchema.safeParse(input.tenantId).success) throw ValidationError.forField('tenantId', 'must be a UUID');
      if (input.contentType.trim() === '') throw ValidationError.forField('contentType', 'must not be empty');
      if (input.data.byteLength > maxBytes) {
        throw ValidationError.forField('data', `is ${input.data.byteLength} bytes, more than the limit of ${maxBytes} bytes`);
      }
      const data = input.data.slice();
      const blobId = randomUUID();
      const tenantId = input.tenantId.toLowerCase();
      const ref = `${tenantId}/${blobId}`;
      const files = filesOf(tenantId, ref);
      if (files === null) throw ValidationError.forField('tenantId', 'must be a UUID');
      const metadata: Metadata = {
        contentType: input.contentType,
        size: data.byteLength,
        sha256: createHash('sha256').update(data).digest('hex'),
        ...(input.fileName === undefined ? {} : { fileName: input.fileName }),
      };
      await mkdir(join(directory, tenantId), { recursive: true });
      // The bytes first: metadata is what makes a blob visible.
      await writeAtomically(files.data, data);
      await writeAtomically(files.meta, JSON.stringify(metadata));
      return { ref, ...metadata };
    },

    async get(tenantId, ref, callOptions) {
      throwIfAborted(callOptions, site('get'));
      const files = filesOf(tenantId, ref);
      if (files === null) return null;
      const metadata = await readIfExists(files.meta);
      if (metadata === null) return null;
      const data = await readIfExists(files.data);
      if (data === null) return null;
      const { contentType } = JSON.parse(metadata.toString('utf8')) as Metadata;
      return { data: new Uint8Array(data), contentType };
    },

    async delete(tenantId, ref, callOptions) {
      throwIfAborted(callOptions, site('delete'));
      const files = filesOf(tenantId, ref);
      if (files === null) return false;
      const existed = (await readIfExists(files.meta)) !== null;
      await rm(files.meta, { force: true });
      await rm(files.data, { force: true });
      return existed;
    },
  };
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}
