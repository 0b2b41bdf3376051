/**
 * The tables of the in-memory store and a copy-on-write unit of work over them.
 *
 * Rows are never mutated in place: a write replaces the row. A `UnitOfWork` records its writes
 * in per-table overlays on top of its parent (the committed tables, or an enclosing unit) and
 * applies them to the parent only on `commit`; dropping a unit discards everything it wrote.
 * Readers of the committed tables therefore never see a transaction's uncommitted writes, and
 * a rolled-back transaction leaves nothing behind — without copying whole tables.
 */
import type { Appointment } from '../../domain/model/appointment.js';
import type { BillingCycle, Contact } from '../../domain/model/billing.js';
import type { Lead } from '../../domain/model/lead.js';
import type { Message } from '../../domain/model/message.js';
import type { Alert, OutboxEntry, SyncState } from '../../domain/model/outbox.js';
import type { ScheduledMessage } from '../../domain/model/scheduled-message.js';
import type { Template } from '../../domain/model/template.js';
import type { Tenant } from '../../domain/model/tenant.js';
import type { ApiKey, IdempotentResponse, OAuthToken } from '../../domain/model/access.js';

/** A remembered inbound event (webhook dedupe). */
export interface InboundEventRow {
  readonly tenantId: string;
  readonly source: string;
  readonly eventId: string;
  readonly receivedAt: Date;
  readonly expiresAt: Date;
}

/** A stored `Idempotency-Key` response. */
export interface IdempotencyRow {
  readonly tenantId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly response: IdempotentResponse;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Row type of every table. */
export interface TableRows {
  tenants: Tenant;
  leads: Lead;
  messages: Message;
  appointments: Appointment;
  contacts: Contact;
  billingCycles: BillingCycle;
  templates: Template;
  scheduledMessages: ScheduledMessage;
  outbox: OutboxEntry;
  syncStates: SyncState;
  alerts: Alert;
  apiKeys: ApiKey;
  oauthTokens: OAuthToken;
  inboundEvents: InboundEventRow;
  idempotencyKeys: IdempotencyRow;
}

/** Name of a table of the store. */
export type TableName = keyof TableRows;

/** Read access to one table; iteration follows insertion order (an update keeps the row's place). */
interface RowSource<Row> {
  get(key: string): Row | undefined;
  entries(): Iterable<[string, Row]>;
}

/** Write access to one table. */
interface RowSink<Row> {
  set(key: string, row: Row): unknown;
  delete(key: string): unknown;
}

/** A table a unit of work can read and write. */
type RowTable<Row> = RowSource<Row> & RowSink<Row>;

/** Anything a unit of work can be opened on. */
interface TableSet {
  table<Name extends TableName>(name: Name): RowTable<TableRows[Name]>;
}

type TableMaps = { [Name in TableName]: Map<string, TableRows[Name]> };

/** The committed state. */
export class CommittedTables implements TableSet {
  private readonly maps: TableMaps = emptyMaps();

  table<Name extends TableName>(name: Name): Map<string, TableRows[Name]> {
    return this.maps[name];
  }

  /** Empties every table in place, so that units of work opened on them stay consistent. */
  clear(): void {
    for (const map of Object.values(this.maps)) map.clear();
  }
}

function emptyMaps(): TableMaps {
  return {
    tenants: new Map(),
    leads: new Map(),
    messages: new Map(),
    appointments: new Map(),
    contacts: new Map(),
    billingCycles: new Map(),
    templates: new Map(),
    scheduledMessages: new Map(),
    outbox: new Map(),
    syncStates: new Map(),
    alerts: new Map(),
    apiKeys: new Map(),
    oauthTokens: new Map(),
    inboundEvents: new Map(),
    idempotencyKeys: new Map(),
  };
}

const removed: unique symbol = Symbol('removed');

/** The writes of one unit of work to one table, layered over the parent's rows. */
export class TableOverlay<Row> implements RowTable<Row> {
  private readonly changes = new Map<string, Row | typeof removed>();

  constructor(private readonly parent: RowSource<Row>) {}

  get(key: string): Row | undefined {
    const change = this.changes.get(key);
    if (change === removed) return undefined;
    return change ?? this.parent.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  *entries(): Generator<[string, Row]> {
    for (const [key, row] of this.parent.entries()) {
      const change = this.changes.get(key);
      if (change === undefined) yield [key, row];
      else if (change !== removed) yield [key, change];
    }
    for (const [key, change] of this.changes) {
      if (change !== removed && this.parent.get(key) === undefined) yield [key, change];
    }
  }

  /** Every row, in insertion order. */
  values(): Row[] {
    return Array.from(this.entries(), ([, row]) => row);
  }

  set(key: string, row: Row): void {
    this.changes.set(key, row);
  }

  delete(key: string): void {
    this.changes.set(key, removed);
  }

  /** Applies the recorded writes to `sink` (the parent) in the order they were made. */
  applyTo(sink: RowSink<Row>): void {
    for (const [key, change] of this.changes) {
      if (change === removed) sink.delete(key);
      else sink.set(key, change);
    }
    this.changes.clear();
  }
}

/** A set of overlays over a parent: nothing reaches the parent before `commit`. */
export class UnitOfWork implements TableSet {
  private readonly overlays = new Map<TableName, TableOverlay<TableRows[TableName]>>();

  constructor(private readonly parent: TableSet) {}

  table<Name extends TableName>(name: Name): TableOverlay<TableRows[Name]> {
    const existing = this.overlays.get(name) as TableOverlay<TableRows[Name]> | undefined;
    if (existing) return existing;
    const overlay = new TableOverlay<TableRows[Name]>(this.parent.table(name));
    this.overlays.set(name, overlay);
    return overlay;
  }

  /** Makes every write of this unit visible in the parent, atomically (it is synchronous). */
  commit(): void {
    for (const [name, overlay] of this.overlays) overlay.applyTo(this.parent.table(name));
    this.overlays.clear();
  }
}
