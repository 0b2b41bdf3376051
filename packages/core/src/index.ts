/**
 * `@sdr/core`: the domain model, ports, pure policies and services of @sdr.
 *
 * The whole store in the memory of one process, for dry runs, simulations and examples, is
 * `@sdr/core/memory`; in-memory implementations of every port, for tests, live under
 * `@sdr/core/testing`.
 * @packageDocumentation
 */
export * from './errors/index.js';
export * from './domain/model/index.js';
export * from './domain/identity/index.js';
export * from './domain/time/index.js';
export * from './domain/retry/index.js';
export * from './domain/events/index.js';
export * from './domain/templates/index.js';
export * from './domain/workers/index.js';
export * from './domain/unit-of-work/index.js';
export * from './domain/dispatch/index.js';
export * from './domain/booking/index.js';
export * from './domain/calendar-sync/index.js';
export * from './domain/billing/index.js';
export * from './domain/follow-up/index.js';
export * from './domain/conversation/index.js';
export * from './domain/sync/index.js';
export * from './domain/handoff/index.js';
export * from './domain/simulation/index.js';
export * from './ports/index.js';
export * from './plugins/index.js';
