/**
 * `openPglite`: the embedded default — a PGlite instance on a data directory (no server), with
 * the `btree_gist` extension the appointments' exclusion constraint needs. PGlite is an optional
 * peer dependency, loaded only when this helper runs.
 */
import { SdrError } from '@sdr/core';
import type * as PgliteModule from '@electric-sql/pglite';
import type * as BtreeGistModule from '@electric-sql/pglite/contrib/btree_gist';
import type { PgliteLike } from './pglite-database.js';

/** Options of `openPglite`. */
export interface OpenPgliteOptions {
  /** Where the data lives (created when missing); omit for an in-memory database. */
  readonly dataDir?: string;
}

/** A PGlite instance as `openPglite` returns it: usable as `db`, and closed by its owner. */
export interface OpenedPglite extends PgliteLike {
  close(): Promise<void>;
}

/** Opens PGlite with `btree_gist` loaded. The caller owns the instance and closes it. */
export async function openPglite(options: OpenPgliteOptions = {}): Promise<OpenedPglite> {
  let modules: [typeof PgliteModule, typeof BtreeGistModule];
  try {
    modules = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/btree_gist')]);
  } catch (error) {
    throw new SdrError(
      'openPglite needs the optional peer dependency @electric-sql/pglite 0.5: install it next to @sdr/store-postgres',
      'internal',
      {
        cause: error,
      },
    );
  }
  const [{ PGlite }, { btree_gist }] = modules;
  return PGlite.create({ ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), extensions: { btree_gist } });
}
