/**
 * `runBlobStoreConformance`: proves a `BlobStore` keeps content byte for byte, scoped to its
 * tenant, immutable, and deletes idempotently (packages/core/src/ports/blob/blob-store.ts).
 */
import { createHash } from 'node:crypto';
import { ValidationError, type BlobStore } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { newId } from './fixtures.js';
import { abortedCall, arrange, expectAborted, sideDoorCheck, type ConformanceOptions, type SubjectBase } from './harness.js';

/** What `create` returns for the blob-store suite. */
export interface BlobStoreSubject extends SubjectBase {
  /** The implementation under test. */
  readonly blobs: BlobStore;
}

/** Side door into what the store holds (the double's entries, the directory, the bucket listing). */
export interface BlobStoreInspector<Subject extends BlobStoreSubject> {
  /** How many blobs the tenant has stored. */
  count(subject: Subject, tenantId: string): Promise<number>;
}

/** Options of `runBlobStoreConformance`. */
export interface BlobStoreConformanceOptions<Subject extends BlobStoreSubject = BlobStoreSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: BlobStoreInspector<Subject>;
}

/** Every byte value, so that no encoding step can go unnoticed. */
function allBytes(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, index) => index);
}

/** Registers the `BlobStore` conformance tests. */
export function runBlobStoreConformance<Subject extends BlobStoreSubject>(options: BlobStoreConformanceOptions<Subject>): void {
  async function setup() {
    const subject = await arrange(options);
    return { subject, blobs: subject.blobs, tenantId: newId(), otherTenantId: newId() };
  }

  describe(`BlobStore conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1 and a provider name',
      async () => {
        const { blobs } = await setup();
        expect(blobs.contractVersion).toBe('v1');
        expect(blobs.provider.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );

    it(
      'put returns a reference with content type, size, file name and the SHA-256 of the content; get returns the same bytes',
      async () => {
        const { blobs, tenantId } = await setup();
        const data = allBytes();
        const stored = await blobs.put({ tenantId, contentType: 'application/octet-stream', data, fileName: 'bytes.bin' });
        expect(stored.ref.length).toBeGreaterThan(0);
        expect(stored).toMatchObject({ contentType: 'application/octet-stream', fileName: 'bytes.bin' });
        if (stored.size !== undefined) expect(stored.size).toBe(256);
        expect(stored.sha256).toBe(createHash('sha256').update(data).digest('hex'));
        const read = await blobs.get(tenantId, stored.ref);
        expect(read?.contentType).toBe('application/octet-stream');
        expect(read ? Array.from(read.data) : null).toEqual(Array.from(data));
      },
      options.timeoutMs,
    );

    it(
      'a call whose signal has already aborted rejects with an AbortedError and changes nothing',
      async (context) => {
        const { subject, blobs, tenantId } = await setup();
        const data = new TextEncoder().encode('kept');
        await expectAborted(blobs.put({ tenantId, contentType: 'text/plain', data }, abortedCall()));
        await sideDoorCheck(context, options.inspect, 'nothing stored by the aborted put', async (inspect) => {
          expect(await inspect.count(subject, tenantId)).toBe(0);
        });
        const stored = await blobs.put({ tenantId, contentType: 'text/plain', data });
        await expectAborted(blobs.get(tenantId, stored.ref, abortedCall()));
        await expectAborted(blobs.delete(tenantId, stored.ref, abortedCall()));
        const read = await blobs.get(tenantId, stored.ref);
        expect(read ? new TextDecoder().decode(read.data) : null).toBe('kept');
      },
      options.timeoutMs,
    );

    it(
      'another tenant cannot read or delete a blob',
      async () => {
        const { blobs, tenantId, otherTenantId } = await setup();
        const stored = await blobs.put({ tenantId, contentType: 'text/plain', data: new TextEncoder().encode('private') });
        expect(await blobs.get(otherTenantId, stored.ref)).toBeNull();
        expect(await blobs.delete(otherTenantId, stored.ref)).toBe(false);
        expect(await blobs.get(tenantId, stored.ref)).not.toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'delete is idempotent: true, then false; the blob is gone',
      async () => {
        const { blobs, tenantId } = await setup();
        const stored = await blobs.put({ tenantId, contentType: 'text/plain', data: new TextEncoder().encode('to delete') });
        expect(await blobs.delete(tenantId, stored.ref)).toBe(true);
        expect(await blobs.get(tenantId, stored.ref)).toBeNull();
        expect(await blobs.delete(tenantId, stored.ref)).toBe(false);
      },
      options.timeoutMs,
    );

    it(
      'get and delete of an unknown reference return null and false',
      async () => {
        const { blobs, tenantId } = await setup();
        const stored = await blobs.put({ tenantId, contentType: 'text/plain', data: new TextEncoder().encode('x') });
        const unknown = `${stored.ref}-unknown`;
        expect(await blobs.get(tenantId, unknown)).toBeNull();
        expect(await blobs.delete(tenantId, unknown)).toBe(false);
      },
      options.timeoutMs,
    );

    it(
      'a reference that tries to escape its tenant (path traversal) reads nothing: null or a ValidationError',
      async () => {
        const { blobs, tenantId, otherTenantId } = await setup();
        const stored = await blobs.put({ tenantId: otherTenantId, contentType: 'text/plain', data: new TextEncoder().encode('secret') });
        for (const ref of [`../${otherTenantId}/${stored.ref}`, `../../${stored.ref}`, `${tenantId}/../${otherTenantId}/${stored.ref}`]) {
          const outcome = await blobs.get(tenantId, ref).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if ('error' in outcome) expect(ValidationError.isInstance(outcome.error)).toBe(true);
          else expect(outcome.value).toBeNull();
        }
      },
      options.timeoutMs,
    );

    it(
      'content is immutable: changing the input or the returned bytes later changes nothing stored',
      async () => {
        const { blobs, tenantId } = await setup();
        const data = new TextEncoder().encode('original');
        const stored = await blobs.put({ tenantId, contentType: 'text/plain', data });
        data.fill(0);
        const first = await blobs.get(tenantId, stored.ref);
        first?.data.fill(0);
        const second = await blobs.get(tenantId, stored.ref);
        expect(second ? new TextDecoder().decode(second.data) : null).toBe('original');
      },
      options.timeoutMs,
    );
  });
}
