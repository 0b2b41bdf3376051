/**
 * Each tenant's agent settings (its persona) in PostgreSQL (`migrations/000006_…`): validated
 * with `agentSettingsSchema` before anything is written (a `ValidationError` naming each bad
 * field), stored with defaults filled in, versioned. `settingsFor` is what the running agent
 * reads: each tenant's settings are cached for `cacheTtlMs` (default 2 s), so a change made
 * through this process is used at once and one made through another process within seconds.
 */
import { agentSettingsSchema, defaultAgentSettings, type AgentSettings } from '@sdr/agent';
import { parseOrThrow, type Clock } from '@sdr/core';
import type { Row, SqlExecutor } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { fromJson, instant, toDate } from '../sandbox/sandbox-sql.js';

/** A tenant's agent settings as stored. */
export interface StoredAgentSettings {
  readonly settings: AgentSettings;
  /** How many times they were set; `0`: never (the defaults). */
  readonly version: number;
  /** When they were last set; `null`: never. */
  readonly updatedAt: Date | null;
}

/** Options of `createAgentSettingsStore`. */
export interface AgentSettingsStoreOptions {
  readonly db: SqlExecutor;
  readonly clock: Clock;
  /** How long a process reuses a tenant's settings before reading them again (default 2000 ms). */
  readonly cacheTtlMs?: number;
  /** The server's schema (default `sdr_server`). */
  readonly schema?: string;
}

/** Reads and writes the settings (see the module comment). */
export interface AgentSettingsStore {
  /** The tenant's settings, read from the database now. */
  get(tenantId: string): Promise<StoredAgentSettings>;
  /** Validates `input` (every field optional) and stores it as the tenant's settings. */
  set(tenantId: string, input: unknown): Promise<StoredAgentSettings>;
  /** The settings the agent uses for the tenant (cached, see the module comment). */
  readonly settingsFor: (tenantId: string) => Promise<AgentSettings>;
}

/** Default of `cacheTtlMs`. */
export const agentSettingsCacheTtlMs = 2_000;

interface CachedSettings {
  readonly expiresAt: number;
  readonly settings: Promise<AgentSettings>;
}

/** Creates the store. */
export function createAgentSettingsStore(options: AgentSettingsStoreOptions): AgentSettingsStore {
  const { db } = options;
  const table = `${quoteIdentifier(options.schema ?? serverSchema)}.agent_settings`;
  const ttlMs = options.cacheTtlMs ?? agentSettingsCacheTtlMs;
  const cache = new Map<string, CachedSettings>();

  const get = async (tenantId: string): Promise<StoredAgentSettings> => {
    const [row] = await db.query('agentSettings.get', `SELECT settings, version, updated_at FROM ${table} WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return row === undefined ? { settings: defaultAgentSettings, version: 0, updatedAt: null } : toStored(row);
  };

  return {
    get,
    async set(tenantId, input) {
      const settings = parseOrThrow(agentSettingsSchema, input);
      const [row] = await db.write(
        'agentSettings.set',
        `INSERT INTO ${table} (tenant_id, settings, version, updated_at) VALUES ($1, $2::jsonb, 1, $3::timestamptz)
         ON CONFLICT (tenant_id) DO UPDATE
           SET settings = EXCLUDED.settings, version = ${table}.version + 1, updated_at = EXCLUDED.updated_at
         RETURNING settings, version, updated_at`,
        [tenantId, JSON.stringify(settings), instant(options.clock.now())],
      );
      cache.delete(tenantId);
      return row === undefined ? { settings, version: 1, updatedAt: options.clock.now() } : toStored(row);
    },
    settingsFor(tenantId) {
      const now = performance.now();
      const cached = cache.get(tenantId);
      if (cached !== undefined && cached.expiresAt > now) return cached.settings;
      const settings = get(tenantId).then((stored) => stored.settings);
      cache.set(tenantId, { expiresAt: now + ttlMs, settings });
      // A failed read is tried again on the next turn rather than remembered.
      settings.catch(() => {
        if (cache.get(tenantId)?.settings === settings) cache.delete(tenantId);
      });
      return settings;
    },
  };
}

function toStored(row: Row): StoredAgentSettings {
  return {
    // Parsed again: a default added by a later version fills what an older row lacks.
    settings: parseOrThrow(agentSettingsSchema, fromJson(row['settings']), 'stored agent settings'),
    version: Number(row['version']),
    updatedAt: toDate(row['updated_at']),
  };
}
