/**
 * The filesystem `BlobStore` passes the testkit's conformance suite on a temporary directory, and
 * refuses what is over its size limit with an error naming the size and the limit.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@sdr/core';
import { runBlobStoreConformance } from '@sdr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createFilesystemBlobStore, type FilesystemBlobStore } from './filesystem-blob-store.js';

const directories: string[] = [];
const freshStore = async (maxBytes?: number): Promise<FilesystemBlobStore> => {
  const directory = await mkdtemp(join(tmpdir(), 'sdr-blobs-'));
  directories.push(directory);
  return createFilesystemBlobStore({ directory, ...(maxBytes === undefined ? {} : { maxBytes }) });
};
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

const countFiles = async (store: FilesystemBlobStore, tenantId: string) => {
  const names = await readdir(join(store.directory, tenantId)).catch(() => []);
  return names.filter((name) => name.endsWith('.json')).length;
};

runBlobStoreConformance({
  name: 'filesystem',
  create: async () => ({ blobs: await freshStore() }),
  inspect: { count: ({ blobs }, tenantId) => countFiles(blobs, tenantId) },
});

describe('filesystem BlobStore', () => {
  it('refuses a blob over the limit, naming its size and the limit, and writes nothing', async () => {
    const store = await freshStore(1024);
    const tenantId = randomUUID();
    const error = await store.put({ tenantId, contentType: 'image/jpeg', data: new Uint8Array(1025) }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]).toEqual({
      field: 'data',
      message: 'is 1025 bytes, more than the limit of 1024 bytes',
    });
    expect(await countFiles(store, tenantId)).toBe(0);
    expect((await store.put({ tenantId, contentType: 'image/jpeg', data: new Uint8Array(1024) })).size).toBe(1024);
  });

  it('keeps blobs across instances on the same directory, with no temporary file left behind', async () => {
    const store = await freshStore();
    const tenantId = randomUUID();
    const stored = await store.put({ tenantId, contentType: 'audio/ogg', data: new TextEncoder().encode('voz'), fileName: 'nota.ogg' });
    const again = createFilesystemBlobStore({ directory: store.directory });
    const read = await again.get(tenantId, stored.ref);
    expect(read && new TextDecoder().decode(read.data)).toBe('voz');
    expect((await readdir(join(store.directory, tenantId))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
