/**
 * Opens the database the configuration names — PostgreSQL through a `pg.Pool`, or the embedded
 * PGlite in its data directory — and brings both schemas up to date: the store's (`sdr`) and the
 * server's own (`sdr_server`: heartbeats, settings, the sandbox adapters). Migrations are safe to
 * run from several processes starting at once.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SdrError } from '@sdr/core';
import { migrate, openDatabase, openPglite, type Database, type DatabaseConnection } from '@sdr/store-postgres';
import pg from 'pg';
import { migrateServer } from '../database/index.js';
import type { ServerConfig } from './config.js';
import { endpointOf, passwordOf, startupError } from './startup-errors.js';

/** An open, migrated database and how to close it. */
export interface OpenedDatabase {
  readonly kind: 'postgres' | 'pglite';
  /** What the store, the lock and the sandbox adapters take. */
  readonly connection: DatabaseConnection;
  /** The same connection as the store sees it (statements, transactions, mapped errors). */
  readonly database: Database;
  /** Where the data lives, for the banner (a directory, or the server without its password). */
  readonly location: string;
  /** Closes the pool or the embedded instance. */
  close(): Promise<void>;
}

/** Opens and migrates; a database that cannot be reached is an `SdrError` saying which. */
export async function openServerDatabase(config: ServerConfig['database']): Promise<OpenedDatabase> {
  if (config.kind === 'postgres') await probePostgres(config.url);
  const opened = config.kind === 'postgres' ? openPool(config.url, config.poolMax) : await openEmbedded(config.dataDir);
  try {
    await migrate({ db: opened.connection });
    await migrateServer(opened.connection);
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw new SdrError(
      `could not prepare the database at ${opened.location}: ${error instanceof Error ? error.message : String(error)}`,
      'internal',
      {
        cause: error,
      },
    );
  }
  return opened;
}

/** How long the first connection may take before start-up gives up on the server. */
const probeTimeoutMs = 10_000;

/**
 * One connection before the pool is made, so that an unreachable server, a missing database or
 * refused credentials stop the start with a line naming `DATABASE_URL` and the reason.
 */
async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: probeTimeoutMs });
  // A connection dropped after the probe's end has nothing left to tell.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const secret = passwordOf(url);
    throw startupError({
      variable: 'DATABASE_URL',
      failed: `cannot connect to PostgreSQL at ${endpointOf(url)}`,
      cause: error,
      ...(secret === undefined ? {} : { secret }),
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function openPool(url: string, max: number): OpenedDatabase {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client losing its connection must not crash the process: the next query reconnects.
  pool.on('error', () => undefined);
  const location = new URL(url);
  location.password = '';
  return {
    kind: 'postgres',
    connection: pool,
    database: openDatabase(pool),
    location: `${location.host}${location.pathname}`,
    close: () => pool.end(),
  };
}

async function openEmbedded(dataDir: string): Promise<OpenedDatabase> {
  const directory = resolve(dataDir);
  await mkdir(directory, { recursive: true });
  const pglite = await openPglite({ dataDir: directory });
  return { kind: 'pglite', connection: pglite, database: openDatabase(pglite), location: directory, close: () => pglite.close() };
}
