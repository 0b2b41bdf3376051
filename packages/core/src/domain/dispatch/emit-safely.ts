/**
 * Emitting a domain event after the row it describes was written: see `events/after-commit.ts`.
 * A throwing listener is logged — the write already happened, and letting the exception escape
 * would make the dispatcher treat a delivered message as a failed one.
 */
export { describeError, emitSafely } from '../events/after-commit.js';
