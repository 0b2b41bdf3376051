/**
 * `createInMemoryStore`: the `Store` (every repository, the scheduler store and the unit of
 * work) in memory, enforcing the same invariants as the PostgreSQL store so that domain tests
 * on it are honest.
 *
 * Concurrency model, chosen to behave like a database rather than like a `Map`:
 * - Every operation is one synchronous step: its checks and writes are atomic.
 * - Writes outside a transaction and whole transactions are serialised by one async mutex, so
 *   a transaction is isolated from every other writer for its whole duration (serializable).
 * - A transaction writes into a copy-on-write unit of work, committed when `fn` resolves and
 *   dropped when it throws: nothing it wrote remains — rows, scheduled messages, outbox
 *   entries, alerts. Readers outside never see uncommitted writes; reads do not wait.
 * - Inside `transaction(fn)`, use the repositories `fn` receives. A **write** through the
 *   store itself from inside `fn` throws: on a database it would run outside the unit of work
 *   (or deadlock on the rows the transaction holds) — here it would deadlock on the mutex.
 *   Reads through the store itself see the committed state, as another connection would.
 *   Nested `transaction` calls throw for the same reason.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SdrError } from '../../errors/index.js';
import type { Appointment } from '../../domain/model/appointment.js';
import type { BillingCycle, Contact } from '../../domain/model/billing.js';
import type { Lead } from '../../domain/model/lead.js';
import type { Message } from '../../domain/model/message.js';
import type { Alert, OutboxEntry, SyncState } from '../../domain/model/outbox.js';
import type { ScheduledMessage } from '../../domain/model/scheduled-message.js';
import type { Template } from '../../domain/model/template.js';
import type { Tenant } from '../../domain/model/tenant.js';
import { systemClock, type Clock } from '../../ports/clock/clock.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { AsyncMutex } from '../../internal/async-mutex.js';
import { cloneValue } from '../../internal/clone.js';
import { settle } from '../../internal/settle.js';
import { createRepositories } from './repositories.js';
import type { StoreRuntime } from './store-runtime.js';
import { CommittedTables, UnitOfWork, type IdempotencyRow, type InboundEventRow, type TableName, type TableRows } from './tables.js';
import type { ApiKey, OAuthToken } from '../../domain/model/access.js';

/** Options of `createInMemoryStore`. */
export interface InMemoryStoreOptions {
  /** Stamps store-assigned times (`createdAt` of scheduled messages and outbox entries). Default: the system clock. */
  readonly clock?: Clock;
}

/** Every stored row, per table, as the store holds it (copies): for checks through a side door. */
export interface InMemoryStoreDump {
  readonly tenants: Tenant[];
  readonly leads: Lead[];
  readonly messages: Message[];
  readonly appointments: Appointment[];
  readonly contacts: Contact[];
  readonly billingCycles: BillingCycle[];
  readonly templates: Template[];
  readonly scheduledMessages: ScheduledMessage[];
  readonly outbox: OutboxEntry[];
  readonly syncStates: SyncState[];
  readonly alerts: Alert[];
  readonly apiKeys: ApiKey[];
  readonly oauthTokens: OAuthToken[];
  readonly inboundEvents: InboundEventRow[];
  readonly idempotencyKeys: IdempotencyRow[];
}

/** The in-memory `Store`, plus inspection for tests. */
export interface InMemoryStore extends Store {
  /** Every committed row of every table, in insertion order. */
  dump(): InMemoryStoreDump;
  /** Drops every row (the outbox sequence keeps increasing). */
  clear(): void;
}

interface TransactionContext {
  readonly store: object;
  active: boolean;
}

/** Which transaction, if any, the current async call chain runs in. */
const transactionContext = new AsyncLocalStorage<TransactionContext>();

/** Creates an empty in-memory store. */
export function createInMemoryStore(options: InMemoryStoreOptions = {}): InMemoryStore {
  const clock = options.clock ?? systemClock;
  const committed = new CommittedTables();
  const writers = new AsyncMutex();
  const identity = {};
  let sequence = 0;
  const nextSequence = () => (sequence += 1);

  const insideOwnTransaction = (): boolean => {
    const context = transactionContext.getStore();
    return context !== undefined && context.store === identity && context.active;
  };

  const storeRuntime: StoreRuntime = {
    clock,
    nextSequence,
    read: (_operation, fn) => settle(() => fn(new UnitOfWork(committed))),
    write: (operation, fn) => {
      if (insideOwnTransaction()) {
        return Promise.reject(
          new SdrError(
            `store.${operation} was called on the store itself inside store.transaction(): use the repositories the transaction passes to its function`,
          ),
        );
      }
      return writers.run(() => {
        const unit = new UnitOfWork(committed);
        const result = fn(unit);
        unit.commit();
        return result;
      });
    },
  };

  const repositories = createRepositories(storeRuntime);

  return {
    contractVersion: 'v1',
    provider: 'in-memory',
    ...repositories,

    transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      if (insideOwnTransaction()) {
        return Promise.reject(
          new SdrError('store.transaction() was called inside another transaction of the same store: nesting is not supported'),
        );
      }
      return writers.run(async () => {
        const context: TransactionContext = { store: identity, active: true };
        const unit = new UnitOfWork(committed);
        try {
          const result = await transactionContext.run(context, () => fn(createRepositories(transactionRuntime(unit, context))));
          unit.commit();
          return result;
        } finally {
          context.active = false;
        }
      });
    },

    dump: () => ({
      tenants: dumpTable(committed, 'tenants'),
      leads: dumpTable(committed, 'leads'),
      messages: dumpTable(committed, 'messages'),
      appointments: dumpTable(committed, 'appointments'),
      contacts: dumpTable(committed, 'contacts'),
      billingCycles: dumpTable(committed, 'billingCycles'),
      templates: dumpTable(committed, 'templates'),
      scheduledMessages: dumpTable(committed, 'scheduledMessages'),
      outbox: dumpTable(committed, 'outbox'),
      syncStates: dumpTable(committed, 'syncStates'),
      alerts: dumpTable(committed, 'alerts'),
      apiKeys: dumpTable(committed, 'apiKeys'),
      oauthTokens: dumpTable(committed, 'oauthTokens'),
      inboundEvents: dumpTable(committed, 'inboundEvents'),
      idempotencyKeys: dumpTable(committed, 'idempotencyKeys'),
    }),

    clear: () => committed.clear(),
  };

  /**
   * The runtime of one transaction: every operation runs in its own child unit (so that a
   * failed operation leaves no partial write even when `fn` catches its error and goes on),
   * merged into the transaction's unit when it succeeds.
   */
  function transactionRuntime(unit: UnitOfWork, context: TransactionContext): StoreRuntime {
    const assertActive = (operation: string) => {
      if (!context.active) throw new SdrError(`tx.${operation} was called after its transaction ended`);
    };
    return {
      clock,
      nextSequence,
      read: (operation, fn) =>
        settle(() => {
          assertActive(operation);
          return fn(new UnitOfWork(unit));
        }),
      write: (operation, fn) =>
        settle(() => {
          assertActive(operation);
          const child = new UnitOfWork(unit);
          const result = fn(child);
          child.commit();
          return result;
        }),
    };
  }
}

/** Copies of every committed row of one table. */
function dumpTable<Name extends TableName>(committed: CommittedTables, name: Name): TableRows[Name][] {
  return Array.from(committed.table(name).values(), (row) => cloneValue(row));
}
