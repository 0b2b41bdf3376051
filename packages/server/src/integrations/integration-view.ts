/**
 * The integrations table and this process's view of it. Every change takes the next `revision`
 * of one sequence; `refresh` reads the rows above the last revision it saw — configurations
 * opened (they are sealed at rest) and parsed by their plugin's schema — so a change made
 * through any process is used here after the next poll (`start`, every `pollIntervalMs`). The
 * resolver reads `configurationOf` synchronously from this view.
 */
import {
  classifyError,
  createPassLoop,
  systemClock,
  type Clock,
  type Logger,
  type PassLoop,
  type PluginKind,
  type PortHealth,
} from '@sdr/core';
import type { Database, Row } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import { integrationContext } from './key-rotation.js';
import type { PluginRegistry, ResolvedConfiguration } from './port-resolver.js';
import type { SecretBox } from './secret-box.js';

/** A configured integration as this process knows it. */
export interface KnownIntegration extends ResolvedConfiguration {
  readonly tenantId: string;
  readonly kind: PluginKind;
  readonly updatedAt: Date;
}

/** The last health check of a tenant's integration, as this process last read it. */
export interface KnownHealth {
  readonly tenantId: string;
  readonly kind: PluginKind;
  /** `null`: the kind runs on its default (the sandbox). */
  readonly provider: string | null;
  readonly health: PortHealth;
}

/** Reads a stored `health` column: `null` when none (never checked since the last change). */
export function parseStoredHealth(value: unknown): PortHealth | null {
  if (value === null || value === undefined) return null;
  const parsed = (typeof value === 'string' ? JSON.parse(value) : value) as {
    status: PortHealth['status'];
    detail?: string;
    checkedAt: string;
  };
  return { ...parsed, checkedAt: new Date(parsed.checkedAt) };
}

/** Options of `createIntegrationView`. */
export interface IntegrationViewOptions {
  readonly db: Database;
  readonly box: SecretBox;
  readonly plugins: PluginRegistry;
  readonly logger: Logger;
  readonly schema?: string;
  /** Times the polls (default the system clock: the polls are real time, whatever the sandbox's clock says). */
  readonly clock?: Clock;
}

/** This process's view of every tenant's integrations. */
export interface IntegrationView {
  readonly configurationOf: (tenantId: string, kind: PluginKind) => KnownIntegration | null;
  /** The last health check (by any process) of the tenant's current integration of `kind`, or `null`. */
  readonly healthOf: (tenantId: string, kind: PluginKind) => PortHealth | null;
  /** Every configured integration, with its last health (`null`: not checked since its last change). */
  configured(): Iterable<KnownIntegration & { readonly health: PortHealth | null }>;
  /** Every tenant's configured integration of `kind` with `provider` (the calendar sync's tenants). */
  readonly configuredWith: (kind: PluginKind, provider: string) => readonly KnownIntegration[];
  /** Reads the changes made since the last refresh (by any process). */
  refresh(): Promise<void>;
  /** Polls for changes every `pollIntervalMs` until `stop`. */
  start(pollIntervalMs: number): void;
  stop(): Promise<void>;
}

/** The quoted integrations table. */
export function integrationsTable(schema?: string): string {
  return `${quoteIdentifier(schema ?? serverSchema)}.integrations`;
}

/** Creates the view (see the module comment); call `refresh` once before using it. */
export function createIntegrationView(options: IntegrationViewOptions): IntegrationView {
  const { db, box, plugins, logger } = options;
  const table = integrationsTable(options.schema);
  const known = new Map<string, KnownIntegration>();
  const healths = new Map<string, KnownHealth>();
  let lastRevision = 0;
  let refreshing: Promise<void> | null = null;
  let poll: PassLoop<void> | null = null;

  const apply = (row: Row): void => {
    const tenantId = String(row['tenant_id']);
    const kind = String(row['kind']) as PluginKind;
    const slot = `${tenantId}\u0000${kind}`;
    const provider = textOrNull(row['provider']);
    const sealed = textOrNull(row['config_ciphertext']);
    const health = parseStoredHealth(row['health']);
    if (health === null) healths.delete(slot);
    else healths.set(slot, { tenantId, kind, provider, health });
    if (provider === null || sealed === null) {
      known.delete(slot);
      return;
    }
    const plugin = plugins.get(kind)?.get(provider);
    if (plugin === undefined) {
      logger.error({ tenantId, kind, provider }, 'a stored integration names a provider this server has no plugin for');
      known.delete(slot);
      return;
    }
    const config: unknown = plugin.configSchema.parse(JSON.parse(box.open(sealed, integrationContext(tenantId, kind))) as unknown);
    known.set(slot, {
      tenantId,
      kind,
      provider: plugin.provider,
      config,
      version: Number(row['version']),
      updatedAt: toDate(row['updated_at']),
    });
  };

  // A result stands for the configuration it was checked with (the same provider, or both the default).
  const healthOfSlot = (slot: string): PortHealth | null => {
    const health = healths.get(slot);
    return health !== undefined && health.provider === (known.get(slot)?.provider ?? null) ? health.health : null;
  };

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const rows = await db.query('integrations.changes', `SELECT * FROM ${table} WHERE revision > $1 ORDER BY revision`, [lastRevision]);
        for (const row of rows) {
          try {
            apply(row);
          } catch (error) {
            logger.error(
              { tenantId: String(row['tenant_id']), kind: String(row['kind']), error: classifyError(error).message },
              'a stored integration could not be read',
            );
          }
          lastRevision = Math.max(lastRevision, Number(row['revision']));
        }
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  return {
    configurationOf: (tenantId, kind) => known.get(`${tenantId}\u0000${kind}`) ?? null,
    healthOf: (tenantId, kind) => healthOfSlot(`${tenantId}\u0000${kind}`),
    *configured() {
      for (const [slot, integration] of known) yield { ...integration, health: healthOfSlot(slot) };
    },
    configuredWith: (kind, provider) => [...known.values()].filter((entry) => entry.kind === kind && entry.provider === provider),
    refresh,
    start(pollIntervalMs) {
      if (poll !== null) return;
      // A failed read is logged by the loop and tried again at the next poll.
      poll = createPassLoop({
        name: 'integration changes',
        clock: options.clock ?? systemClock,
        intervalMs: pollIntervalMs,
        // The caller refreshes before it starts the polls.
        waitFirst: true,
        pass: refresh,
        logger,
      });
      poll.start();
    },
    async stop() {
      const running = poll;
      poll = null;
      await running?.stop();
      await refreshing?.catch(() => undefined);
    },
  };
}
