/**
 * The demo tenant of the embedded default: created at the first start of an empty database,
 * with an API key that is printed once (only its hash is stored). It is a business as a new user
 * would set one up: open Monday to Friday, 09:00–18:00 in São Paulo (`demoBusinessHours`; with
 * `alwaysOpen`, at any hour), so the agent offers slots only inside those hours and follow-ups
 * wait for them; the sandbox CRM's pipeline mapped to every stage, a calendar and a channel
 * instance of its own.
 */
import { DuplicateError, parseOrThrow, tenantSchema, type Clock, type Store, type Tenant } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { serverSchema } from '../database/index.js';
import { createTenantApiKey } from '../http/index.js';
import { sandboxStageMapping } from '../sandbox/index.js';

/** What seeding found or did. */
export interface DemoTenant {
  readonly tenant: Tenant;
  /** The API key, only when this call created the tenant (it is never shown again). */
  readonly apiKey: string | null;
}

const settingKey = 'demo.tenant';

const workday: [string, string][] = [['09:00', '18:00']];

/** The demo tenant's opening hours, in its time zone (America/Sao_Paulo). */
export const demoBusinessHours = { mon: workday, tue: workday, wed: workday, thu: workday, fri: workday };

/**
 * The demo tenant: created (with its key) when missing, otherwise read back. The tenant's id is
 * claimed first; a process that died between the claim and the creation leaves an id that the
 * next start creates (a concurrent creation loses on the id and reads the winner's tenant).
 */
export async function ensureDemoTenant(input: {
  readonly database: Database;
  readonly store: Store;
  readonly clock: Clock;
  /** Create it with no business hours (open at any hour). Default: `demoBusinessHours`. */
  readonly alwaysOpen?: boolean;
}): Promise<DemoTenant> {
  const { database, store } = input;
  const table = `${serverSchema}.settings`;
  const proposed = globalThis.crypto.randomUUID();
  await database.write('demo.claim', `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
    settingKey,
    JSON.stringify({ tenantId: proposed }),
  ]);
  const [claim] = await database.query<{ value: { tenantId: string } }>('demo.read', `SELECT value FROM ${table} WHERE key = $1`, [
    settingKey,
  ]);
  const id = claim?.value.tenantId ?? proposed;
  const existing = await store.tenants.get(id);
  if (existing !== null) return { tenant: existing, apiKey: null };
  try {
    return await createDemoTenant(id, input);
  } catch (error) {
    const created = DuplicateError.isInstance(error) ? await store.tenants.get(id) : null;
    if (created === null) throw error;
    return { tenant: created, apiKey: null };
  }
}

async function createDemoTenant(
  id: string,
  input: { readonly store: Store; readonly clock: Clock; readonly alwaysOpen?: boolean },
): Promise<DemoTenant> {
  const { store, clock } = input;
  const now = clock.now();
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id,
      name: 'Demo',
      timeZone: 'America/Sao_Paulo',
      locale: 'pt-BR',
      defaultCountry: 'BR',
      businessHours: input.alwaysOpen === true ? null : demoBusinessHours,
      stageMapping: sandboxStageMapping,
      booking: { calendarId: `demo-${id.slice(0, 8)}@sandbox` },
      messaging: { instance: `demo-${id.slice(0, 8)}` },
      createdAt: now,
      updatedAt: now,
      version: 0,
    }),
  );
  const issued = await createTenantApiKey(store.apiKeys, { tenantId: tenant.id, name: 'demo', clock });
  return { tenant, apiKey: issued.key };
}
