/**
 * `@sdr/core/memory`: the whole `Store` (every repository, the scheduler store and the unit of
 * work) held in the memory of one process.
 *
 * It is meant for single-process tools: dry runs, simulations and examples — anything that runs
 * the real services once, in one process, and needs no data to survive it. It keeps the same
 * invariants as the PostgreSQL store (unique keys, optimistic versions, no double booking,
 * serializable transactions), but nothing is persisted and nothing is shared between processes,
 * so a server that runs more than one instance, or must keep its data across restarts, needs a
 * database-backed store instead. The in-process lock and rate limiter it pairs with are in the
 * main entry (`createInMemoryLock`, `createInMemoryRateLimiter`).
 * @packageDocumentation
 */
export { createInMemoryStore, type InMemoryStore, type InMemoryStoreDump, type InMemoryStoreOptions } from './store/in-memory-store.js';
export type { IdempotencyRow, InboundEventRow } from './store/tables.js';
