/**
 * An alert and its webhook deliveries commit together on PostgreSQL: when anything fails between
 * writing the alert and writing its deliveries, neither is left behind.
 */
import { addTransactionalSink, raiseAlert, resolveAlert } from '@sdr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime/start-server.js';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  startTestServer,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';

describe.skipIf(databaseUrl === undefined)('alert deliveries in the alert’s transaction', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer({ ...database.env, SDR_RATE_LIMIT_PER_MINUTE: '100000' });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('a failure after the deliveries are written rolls back the alert with them; without it both commit', async () => {
    const tenantId = server!.demo?.tenant.id ?? '';
    const { store, events } = server!.composition.context;
    const endpoint = await api.post<{ id: string }>('/v1/webhook-endpoints', {
      url: 'https://receiver.example.test/hooks',
      events: ['alert.raised', 'alert.resolved'],
    });
    const deliveries = async () =>
      (await api.get<{ items: { eventType: string }[] }>(`/v1/webhook-deliveries?endpointId=${endpoint.id}`)).items.map(
        (delivery) => delivery.eventType,
      );
    const openKinds = async () => (await store.alerts.listOpen({ tenantId })).map((alert) => alert.kind);
    // Runs after the webhook sink (registered when the server was composed): its rows are written, then this fails.
    let failing = true;
    const remove = addTransactionalSink(events, () => (failing ? Promise.reject(new Error('the disk is full')) : Promise.resolve()));
    const alert = { tenantId, kind: 'atomicity_probe', key: 'k1', severity: 'warning' as const, message: 'probe', details: {} };
    try {
      await expect(raiseAlert({ store, events }, { ...alert, now: new Date() })).rejects.toThrow('the disk is full');
      expect(await openKinds()).not.toContain('atomicity_probe');
      expect(await deliveries()).toEqual([]);

      failing = false;
      expect((await raiseAlert({ store, events }, { ...alert, now: new Date() })).opened).toBe(true);
      expect(await openKinds()).toContain('atomicity_probe');
      expect(await deliveries()).toEqual(['alert.raised']);

      failing = true;
      await expect(resolveAlert({ store, events }, { tenantId, kind: alert.kind, key: alert.key, now: new Date() })).rejects.toThrow();
      expect(await openKinds()).toContain('atomicity_probe');
      expect(await deliveries()).toEqual(['alert.raised']);

      failing = false;
      expect(await resolveAlert({ store, events }, { tenantId, kind: alert.kind, key: alert.key, now: new Date() })).not.toBeNull();
      expect(await openKinds()).not.toContain('atomicity_probe');
      expect((await deliveries()).sort()).toEqual(['alert.raised', 'alert.resolved']);
    } finally {
      remove();
    }
  }, 30_000);
});
