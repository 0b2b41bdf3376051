/**
 * The sandbox adapters as plugins of provider `sandbox` — one descriptor per kind the sandbox
 * implements (`crm`, `calendar`, `whatsapp`) — so that the server's per-tenant wiring builds them
 * from configuration like any vendor's. Their configuration is empty: the sandbox needs no
 * account, token or URL. Their state lives in the server's database, which the host passes once
 * to `createSandboxPlugins`; everything per tenant comes through the plugin deps: the CRM board
 * is the tenant's own account (`deps.tenantId`) and paces itself with `deps.rateLimiter`; so are
 * its calendars and its channel instances (their health switch included).
 */
import { definePlugin } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { z } from 'zod';
import { createSandboxCalendar, sandboxCalendarProvider } from './sandbox-calendar.js';
import { createSandboxCrm, sandboxCrmProvider } from './sandbox-crm.js';
import { createSandboxMessaging, sandboxMessagingProvider } from './sandbox-messaging.js';

/** The sandbox's configuration: nothing (any key is refused, naming it). */
export const sandboxConfigSchema = z.strictObject({});

/** Where the sandbox keeps its state. */
export interface SandboxPluginOptions {
  readonly db: Database;
  /** The server schema holding the sandbox tables (default `sdr_server`). */
  readonly schema?: string;
  /** The store's schema, whose scheduled messages tie a send to its tenant (default `sdr`). */
  readonly storeSchema?: string;
}

/** The sandbox's descriptors, one per kind, over the server's database. */
export function createSandboxPlugins(options: SandboxPluginOptions) {
  const { db } = options;
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  return {
    crm: definePlugin({
      contractVersion: 'v1',
      kind: 'crm',
      provider: sandboxCrmProvider,
      displayName: 'Sandbox CRM board',
      configSchema: sandboxConfigSchema,
      create: (_config, deps) =>
        createSandboxCrm({ db, ...schema, clock: deps.clock, account: deps.tenantId, rateLimiter: deps.rateLimiter }),
    }),
    calendar: definePlugin({
      contractVersion: 'v1',
      kind: 'calendar',
      provider: sandboxCalendarProvider,
      displayName: 'Sandbox calendar',
      configSchema: sandboxConfigSchema,
      create: (_config, deps) => createSandboxCalendar({ db, ...schema, clock: deps.clock, account: deps.tenantId }),
    }),
    whatsapp: definePlugin({
      contractVersion: 'v1',
      kind: 'whatsapp',
      provider: sandboxMessagingProvider,
      displayName: 'Sandbox WhatsApp channel',
      configSchema: sandboxConfigSchema,
      create: (_config, deps) =>
        createSandboxMessaging({
          db,
          ...schema,
          ...(options.storeSchema === undefined ? {} : { storeSchema: options.storeSchema }),
          clock: deps.clock,
          account: deps.tenantId,
        }),
    }),
  } as const;
}

/** The sandbox's descriptors by kind. */
export type SandboxPlugins = ReturnType<typeof createSandboxPlugins>;
