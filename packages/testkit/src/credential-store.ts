/**
 * `runCredentialStoreConformance`: proves a `CredentialStore` writes only over the version it is
 * told, lets exactly one of several concurrent writers win, round-trips values exactly, keeps keys
 * apart, refuses malformed input by name, and gives up aborted calls
 * (packages/core/src/ports/credentials/credential-store.ts).
 */
import { randomUUID } from 'node:crypto';
import { ValidationError, type CredentialStore } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import {
  abortedCall,
  arrange,
  expectAborted,
  expectSdrError,
  isAdvanceableClock,
  type ConformanceOptions,
  type SubjectBase,
} from './harness.js';

/** What `create` returns for the credential-store suite. */
export interface CredentialStoreSubject extends SubjectBase {
  /** The implementation under test: a store scoped to one integration. */
  readonly store: CredentialStore;
}

/** Options of `runCredentialStoreConformance`. */
export type CredentialStoreConformanceOptions<Subject extends CredentialStoreSubject = CredentialStoreSubject> =
  ConformanceOptions<Subject>;

/** A value with every JSON type, nested: what an OAuth adapter stores, and then some. */
function richValue(): Record<string, unknown> {
  return {
    accessToken: `access-${randomUUID()}`,
    refreshToken: `refresh-${randomUUID()}`,
    expiresAt: '2031-01-01T00:00:00.000Z',
    expiresIn: 86_400,
    ratio: -1.5,
    zero: 0,
    large: 9_007_199_254_740_991,
    rotated: true,
    revoked: false,
    scope: null,
    scopes: ['crm', 'notifications'],
    account: { subdomain: 'acme', ids: [1, 2, 3], owner: { name: 'Zoë Ñandú — São Paulo' } },
  };
}

/** Registers the `CredentialStore` conformance tests. */
export function runCredentialStoreConformance<Subject extends CredentialStoreSubject>(
  options: CredentialStoreConformanceOptions<Subject>,
): void {
  async function setup() {
    const subject = await arrange(options);
    return { subject, store: subject.store, key: `conformance-${randomUUID()}` };
  }

  describe(`CredentialStore conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1; get of a key never written is null',
      async () => {
        const { store, key } = await setup();
        expect(store.contractVersion).toBe('v1');
        expect(await store.get(key)).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'the first write names no version (null) and stores version 1, stamped with the clock; each later write names the version it replaces',
      async () => {
        const { subject, store, key } = await setup();
        expect(await store.compareAndSet(key, { token: 'one' }, null)).toBe(true);
        const first = await store.get(key);
        expect(first).toMatchObject({ value: { token: 'one' }, version: 1 });
        expect(first?.updatedAt).toBeInstanceOf(Date);
        if (subject.clock !== undefined && isAdvanceableClock(subject.clock)) expect(first?.updatedAt).toEqual(subject.clock.now());
        expect(await store.compareAndSet(key, { token: 'two' }, 1)).toBe(true);
        expect(await store.compareAndSet(key, { token: 'three' }, 2)).toBe(true);
        expect(await store.get(key)).toMatchObject({ value: { token: 'three' }, version: 3 });
      },
      options.timeoutMs,
    );

    it(
      'a write naming another version than the stored one writes nothing and is false (stale, null over a value, a version over nothing)',
      async () => {
        const { store, key } = await setup();
        expect(await store.compareAndSet(key, { token: 'never' }, 1)).toBe(false);
        expect(await store.get(key)).toBeNull();
        expect(await store.compareAndSet(key, { token: 'one' }, null)).toBe(true);
        expect(await store.compareAndSet(key, { token: 'two' }, 1)).toBe(true);
        expect(await store.compareAndSet(key, { token: 'stale' }, 1)).toBe(false);
        expect(await store.compareAndSet(key, { token: 'again' }, null)).toBe(false);
        expect(await store.compareAndSet(key, { token: 'ahead' }, 7)).toBe(false);
        expect(await store.get(key)).toMatchObject({ value: { token: 'two' }, version: 2 });
      },
      options.timeoutMs,
    );

    it(
      'of concurrent writers expecting the same version, exactly one wins and its value is the one stored',
      async () => {
        const { store, key } = await setup();
        const writers = Array.from({ length: 10 }, (_, index) => ({ token: `first-${index}` }));
        const firsts = await Promise.all(writers.map((value) => store.compareAndSet(key, value, null)));
        expect(firsts.filter(Boolean)).toHaveLength(1);
        expect((await store.get(key))?.value).toEqual(writers[firsts.indexOf(true)]);
        const rotations = Array.from({ length: 10 }, (_, index) => ({ token: `rotated-${index}` }));
        const seconds = await Promise.all(rotations.map((value) => store.compareAndSet(key, value, 1)));
        expect(seconds.filter(Boolean)).toHaveLength(1);
        expect(await store.get(key)).toEqual(expect.objectContaining({ value: rotations[seconds.indexOf(true)], version: 2 }));
      },
      options.timeoutMs,
    );

    it(
      'values round-trip exactly, and are copies: changing what was written or what get returned changes nothing stored',
      async () => {
        const { store, key } = await setup();
        const value = richValue();
        const expected = structuredClone(value);
        expect(await store.compareAndSet(key, value, null)).toBe(true);
        (value['account'] as { subdomain: string }).subdomain = 'changed';
        const read = await store.get(key);
        expect(read?.value).toEqual(expected);
        (read?.value as { scopes: string[] }).scopes.push('tampered');
        expect((await store.get(key))?.value).toEqual(expected);
      },
      options.timeoutMs,
    );

    it(
      'keys are independent: their values and versions do not touch each other',
      async () => {
        const { store, key } = await setup();
        const other = `${key}-other`;
        expect(await store.compareAndSet(key, { token: 'a1' }, null)).toBe(true);
        expect(await store.compareAndSet(key, { token: 'a2' }, 1)).toBe(true);
        expect(await store.get(other)).toBeNull();
        expect(await store.compareAndSet(other, { token: 'b1' }, null)).toBe(true);
        expect(await store.get(other)).toMatchObject({ value: { token: 'b1' }, version: 1 });
        expect(await store.get(key)).toMatchObject({ value: { token: 'a2' }, version: 2 });
      },
      options.timeoutMs,
    );

    it(
      'malformed input is a ValidationError naming it, and writes nothing',
      async () => {
        const { store, key } = await setup();
        const fields = async (promise: Promise<unknown>) =>
          (await expectSdrError(promise, ValidationError)).fieldErrors.map((e) => e.field);
        expect(await fields(store.compareAndSet('', { token: 'x' }, null))).toEqual(['key']);
        expect(await fields(store.get('k'.repeat(201)))).toEqual(['key']);
        for (const version of [0, -1, 1.5, Number.NaN])
          expect(await fields(store.compareAndSet(key, { token: 'x' }, version))).toEqual(['expectedVersion']);
        const notObjects: unknown[] = [['a'], 'token', 42, null, new Date(0)];
        for (const value of notObjects)
          expect(await fields(store.compareAndSet(key, value as Record<string, unknown>, null))).toEqual(['value']);
        expect(await fields(store.compareAndSet(key, { expiresAt: new Date(0) }, null))).toEqual(['value.expiresAt']);
        expect(await fields(store.compareAndSet(key, { nested: { ratio: Number.POSITIVE_INFINITY } }, null))).toEqual([
          'value.nested.ratio',
        ]);
        expect(await fields(store.compareAndSet(key, { missing: undefined }, null))).toEqual(['value.missing']);
        expect(await store.get(key)).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'a call whose signal has already aborted rejects with an AbortedError and writes nothing',
      async () => {
        const { store, key } = await setup();
        await expectAborted(store.compareAndSet(key, { token: 'aborted' }, null, abortedCall()));
        await expectAborted(store.get(key, abortedCall()));
        expect(await store.get(key)).toBeNull();
        expect(await store.compareAndSet(key, { token: 'kept' }, null)).toBe(true);
        await expectAborted(store.compareAndSet(key, { token: 'aborted' }, 1, abortedCall()));
        expect(await store.get(key)).toMatchObject({ value: { token: 'kept' }, version: 1 });
      },
      options.timeoutMs,
    );
  });
}
