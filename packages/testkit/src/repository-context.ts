/**
 * What the repository tests share: the subject, a tenant of the test's own, and paging helpers.
 */
import type { Page, PageRequest, Store, Tenant } from '@sdr/core';
import { expect } from 'vitest';
import { buildTenant } from './fixtures.js';
import { arrange, type ConformanceOptions, type SubjectBase } from './harness.js';

/** What `create` returns for the repository suite. */
export interface StoreSubject extends SubjectBase {
  /** The implementation under test. */
  readonly store: Store;
}

/** Side door into the store's tables (raw SQL, the double's dump). */
export interface StoreInspector<Subject extends StoreSubject> {
  /**
   * How many rows each table holds for `tenantId` (tables with a tenant column; the tenants
   * table itself left out), keyed by table name.
   */
  rowCounts(subject: Subject, tenantId: string): Promise<Readonly<Record<string, number>>>;
}

/** Optional behaviour of a store the suite can prove when declared. */
export interface StoreCapabilities {
  /**
   * Reads outside a running transaction neither see its uncommitted writes nor wait for it
   * (PostgreSQL: true; a single-connection PGlite: false, such a read would wait). Default false.
   */
  readonly isolatedTransactions: boolean;
}

export interface RepositoryConformanceOptions<Subject extends StoreSubject = StoreSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: StoreInspector<Subject>;
  /** What the store declares beyond the contract (default: nothing). */
  readonly capabilities?: Partial<StoreCapabilities>;
}

/** One test's world: the store and a tenant created for this test alone. */
export interface StoreWorld<Subject extends StoreSubject> {
  readonly subject: Subject;
  readonly store: Store;
  readonly tenant: Tenant;
  readonly tenantId: string;
  readonly capabilities: StoreCapabilities;
  /** Creates another tenant (for isolation checks). */
  readonly newTenant: () => Promise<Tenant>;
}

export type StoreSetup<Subject extends StoreSubject> = () => Promise<StoreWorld<Subject>>;

export function storeSetup<Subject extends StoreSubject>(options: RepositoryConformanceOptions<Subject>): StoreSetup<Subject> {
  return async () => {
    const subject = await arrange(options);
    const { store } = subject;
    const newTenant = () => store.tenants.create(buildTenant());
    const tenant = await newTenant();
    return {
      subject,
      store,
      tenant,
      tenantId: tenant.id,
      capabilities: { isolatedTransactions: false, ...options.capabilities },
      newTenant,
    };
  };
}

/** An opaque cursor no store can have issued. */
export const garbageCursor = '%%not-a-cursor%%';

/**
 * Follows `nextCursor` to the end and returns every item with the number of pages. Fails when
 * the cursors never end.
 */
export async function collectPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ readonly items: T[]; readonly pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 10_000; pages += 1) {
    const page: Page<T> = await fetch({ cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    cursor = page.nextCursor;
  }
  return expect.fail('paging never ended: nextCursor kept coming back');
}

/** Asserts every id of `expected` occurs exactly once in `items`, and no id occurs twice. */
export function expectEachOnce(items: readonly { readonly id: string }[], expected: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  expect([...counts.entries()].filter(([, count]) => count > 1)).toEqual([]);
  expect(expected.filter((id) => counts.get(id) !== 1)).toEqual([]);
}
