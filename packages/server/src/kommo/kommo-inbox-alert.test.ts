/**
 * The Kommo inbox alert on a real database: a delivery given up on raises the tenant's
 * `kommo_inbox_failed` alert — announced, with its `alert.raised` webhook delivery written in the
 * alert's transaction — and the next delivery of the tenant that applies resolves it.
 */
import { buildKommoDelivery } from '@sdr/adapter-kommo/testing';
import { ProviderUnavailableError, noopLogger, type CrmPort, type DomainEventMap } from '@sdr/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createSandboxWorld, type SandboxWorld } from '../sandbox/__fixtures__/sandbox-world.js';
import { createWebhookService, type WebhookService } from '../webhooks/webhook-service.js';
import { createKommoInbox, type KommoInbox } from './kommo-inbox.js';
import { createKommoInboxWorker, kommoInboxFailedAlertKind, type KommoInboxWorker } from './kommo-inbox-worker.js';

const accountId = 31337;
const retryDelayMs = 5_000;

describeEachDriver('Kommo inbox alert', (database) => {
  let world: SandboxWorld;
  let inbox: KommoInbox;
  let worker: KommoInboxWorker;
  let webhooks: WebhookService;
  // While set, every lead read from Kommo fails as an outage does.
  let kommoDown = false;
  // While set, a lead read from Kommo never answers (a hung connection) and says that it started.
  let kommoHangs: (() => void) | null = null;
  const announced: { readonly name: string; readonly tenantId: string | null; readonly kind: string }[] = [];

  beforeAll(async () => {
    world = await createSandboxWorld(database());
    const { context } = world;
    inbox = createKommoInbox({ db: database().database });
    webhooks = createWebhookService({ database: database().database, events: context.events, clock: world.clock });
    const crmFor = (tenantId: string): CrmPort => {
      const crm = world.crmFor(tenantId);
      return {
        ...crm,
        getLeads: (ids, options) =>
          kommoHangs !== null
            ? new Promise((_resolve, reject) => {
                kommoHangs?.();
                options?.signal?.addEventListener('abort', () => {
                  reject(new Error('aborted'));
                });
              })
            : kommoDown
              ? Promise.reject(new ProviderUnavailableError({ provider: 'kommo', operation: 'getLeads' }))
              : crm.getLeads(ids, options),
      };
    };
    worker = createKommoInboxWorker({
      store: context.store,
      events: context.events,
      crmFor,
      crmInbound: context.services.crmInbound,
      logger: noopLogger,
      inbox,
      clock: world.clock,
      workerId: 'kommo-alert-test',
      retryPolicy: { maxAttempts: 2, baseDelayMs: retryDelayMs, maxDelayMs: retryDelayMs, factor: 1 },
    });
    for (const name of ['alert.raised', 'alert.resolved'] as const) {
      context.events.on(name, (event: DomainEventMap['alert.resolved']) =>
        announced.push({ name, tenantId: event.tenantId, kind: event.kind }),
      );
    }
  });
  afterAll(() => webhooks.close());

  const drain = async () => {
    while ((await worker.drainOnce()) > 0);
  };
  const openKinds = async (tenantId: string) => (await world.context.store.alerts.listOpen({ tenantId })).map((alert) => alert.kind);

  it('raises the alert when a delivery is given up on, not while it is retried, and resolves it once deliveries apply again', async () => {
    const tenantId = world.acme.tenant.id;
    const endpoint = await webhooks.createEndpoint(tenantId, {
      url: 'https://receiver.example.test/alerts',
      events: ['alert.raised', 'alert.resolved'],
    });
    const deliveries = async () =>
      (await webhooks.listDeliveries(tenantId, { endpointId: endpoint.id, limit: 10 })).map((delivery) => delivery.eventType).sort();

    kommoDown = true;
    await inbox.add({
      tenantId,
      body: buildKommoDelivery({ accountId, status: [{ id: 7001, statusId: 143, pipelineId: 9001 }] }),
      receivedAt: world.clock.now(),
    });
    await drain();
    // The first failure is retried later: no alert yet.
    expect(await inbox.counts(tenantId)).toMatchObject({ pending: 1, dead: 0 });
    expect(await openKinds(tenantId)).toEqual([]);
    expect(announced).toEqual([]);

    await world.base.advance(retryDelayMs + 1_000);
    await drain();
    expect(await inbox.counts(tenantId)).toMatchObject({ pending: 0, dead: 1 });
    const [alert] = await world.context.store.alerts.listOpen({ tenantId });
    expect(alert).toMatchObject({ kind: kommoInboxFailedAlertKind, key: 'kommo', severity: 'critical' });
    expect(alert?.message).toContain('given up after 2 attempt(s)');
    expect(alert?.message).toContain('kommo getLeads unavailable');
    expect(alert?.details).toMatchObject({ attempts: 2 });
    expect(announced).toEqual([{ name: 'alert.raised', tenantId, kind: kommoInboxFailedAlertKind }]);
    expect(await deliveries()).toEqual(['alert.raised']);
    // Another tenant's alerts are its own.
    expect(await openKinds(world.globex.tenant.id)).toEqual([]);

    // A second delivery given up on refreshes the open alert: announced once.
    await inbox.add({ tenantId, body: buildKommoDelivery({ accountId, update: [{ id: 7002 }] }), receivedAt: world.clock.now() });
    await drain();
    await world.base.advance(retryDelayMs + 1_000);
    await drain();
    expect(await inbox.counts(tenantId)).toMatchObject({ pending: 0, dead: 2 });
    expect(announced).toHaveLength(1);

    kommoDown = false;
    await inbox.add({ tenantId, body: buildKommoDelivery({ accountId, update: [{ id: 7003 }] }), receivedAt: world.clock.now() });
    await drain();
    expect(await inbox.counts(tenantId)).toMatchObject({ pending: 0, done: 1, dead: 2 });
    expect(await openKinds(tenantId)).toEqual([]);
    expect(announced).toEqual([
      { name: 'alert.raised', tenantId, kind: kommoInboxFailedAlertKind },
      { name: 'alert.resolved', tenantId, kind: kommoInboxFailedAlertKind },
    ]);
    expect(await deliveries()).toEqual(['alert.raised', 'alert.resolved']);

    // Deliveries that keep applying change nothing more.
    await inbox.add({ tenantId, body: buildKommoDelivery({ accountId, update: [{ id: 7004 }] }), receivedAt: world.clock.now() });
    await drain();
    expect(announced).toHaveLength(2);
  }, 30_000);

  it('a stop lets a hung pass go at its deadline instead of waiting for Kommo forever', async () => {
    const tenantId = world.acme.tenant.id;
    const entered = new Promise<void>((resolve) => {
      kommoHangs = resolve;
    });
    try {
      await inbox.add({ tenantId, body: buildKommoDelivery({ accountId, update: [{ id: 7100 }] }), receivedAt: world.clock.now() });
      worker.start();
      await entered;
      let stopped = false;
      const stopping = worker.stop({ deadlineMs: 10_000 }).then(() => {
        stopped = true;
      });
      await world.base.advance(9_000);
      expect(stopped).toBe(false);
      await world.base.advance(1_001);
      await stopping;
      expect(stopped).toBe(true);
      // The delivery was not settled: its claim expires and another pass applies it.
      expect(await inbox.counts(tenantId)).toMatchObject({ pending: 1 });
    } finally {
      kommoHangs = null;
    }
  }, 30_000);
});
