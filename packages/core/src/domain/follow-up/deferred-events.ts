/**
 * Domain events collected while a unit of work runs and emitted only once it committed, so that
 * no listener ever hears of a change that was rolled back. The mechanism lives in
 * `events/after-commit.ts`; this module keeps the names the follow-up engine grew up with.
 */
export { deferred, type DeferredEvent } from '../events/after-commit.js';
