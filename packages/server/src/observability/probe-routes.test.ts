import { createDomainEvents, type PortHealth, type VirtualClock } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../context.js';
import { call, createTestWorld } from '../http/__fixtures__/test-context.js';
import { seedLead } from './__fixtures__/observability-database.js';
import { sample } from './__fixtures__/prometheus-text.js';
import { httpMetricsPlugin } from './http-metrics.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createProbeRoutes, type ReadinessChecks } from './probe-routes.js';

const up = (clock: VirtualClock): PortHealth => ({ status: 'up', checkedAt: clock.now() });

/** A world whose probes run the given checks (each defaulting to healthy). */
async function probeWorld(checks: (clock: VirtualClock) => Partial<ReadinessChecks> = () => ({})) {
  let metrics: Metrics | undefined;
  const world = await createTestWorld({
    extraRoutes: (context: ServerContext, clock: VirtualClock) => {
      metrics = createMetrics({ store: context.store, clock, events: createDomainEvents(), defaultMetrics: false });
      const readiness: ReadinessChecks = {
        database: () => Promise.resolve(),
        lock: () => Promise.resolve(up(clock)),
        channels: () => Promise.resolve([up(clock), up(clock)]),
        ...checks(clock),
      };
      return [createProbeRoutes({ metrics, readiness, clock }), httpMetricsPlugin(metrics)];
    },
  });
  if (metrics === undefined) throw new Error('the probes were not registered');
  return { ...world, metrics };
}

describe('probe routes', () => {
  it('answer liveness and readiness without a key, and stay out of the OpenAPI document', async () => {
    const world = await probeWorld();
    expect(await call(world.app, { method: 'GET', url: '/healthz' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await call(world.app, { method: 'GET', url: '/readyz' });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { database: { status: 'up' }, lock: { status: 'up' }, channels: { status: 'up', instances: 2 } },
    });
    const document = await call<{ paths: Record<string, unknown> }>(world.app, { method: 'GET', url: '/openapi.json' });
    expect(Object.keys(document.body.paths).filter((path) => ['/healthz', '/readyz', '/metrics'].includes(path))).toEqual([]);
  });

  it('report the tenants’ broken integrations without turning 503, even when none is up or they cannot be read', async () => {
    const world = await probeWorld(() => ({
      integrations: () =>
        Promise.resolve([
          { kind: 'crm', provider: 'kommo', status: 'down' as const },
          { kind: 'crm', provider: 'kommo', status: 'down' as const },
          { kind: 'whatsapp', provider: 'evolution', status: 'degraded' as const },
          { kind: 'calendar', provider: 'google', status: null },
        ]),
    }));
    const ready = await call<{ status: string; checks: Record<string, { status: string; detail?: string; configured?: number }> }>(
      world.app,
      { method: 'GET', url: '/readyz' },
    );
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks['integrations']).toEqual({
      status: 'degraded',
      configured: 4,
      detail: '3 of 4 integration(s) not up: crm/kommo down: 2, whatsapp/evolution degraded: 1',
    });
    const unreadable = await probeWorld(() => ({ integrations: () => Promise.reject(new Error('the view is not loaded')) }));
    const answer = await call<{ checks: Record<string, { status: string; detail?: string }> }>(unreadable.app, {
      method: 'GET',
      url: '/readyz',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.checks['integrations']).toMatchObject({ status: 'degraded', detail: expect.stringContaining('not loaded') });
  });

  it('report 503 with a short detail and no credentials when the database check fails', async () => {
    const world = await probeWorld(() => ({
      database: () => Promise.reject(new Error('connect ECONNREFUSED postgres://sdr:s3cret-password@db.internal:5432/sdr')),
    }));
    const ready = await call<{ status: string; checks: Record<string, { status: string; detail?: string }> }>(world.app, {
      method: 'GET',
      url: '/readyz',
    });
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not_ready');
    expect(ready.body.checks['database']?.status).toBe('down');
    expect(ready.body.checks['database']?.detail).toContain('ECONNREFUSED');
    expect(ready.text).not.toContain('s3cret-password');
    expect(ready.body.checks['lock']).toEqual({ status: 'up' });
  });

  it('report 503 once a hanging check reaches its timeout', async () => {
    const world = await probeWorld(() => ({ lock: () => new Promise<PortHealth>(() => undefined) }));
    let settled = false;
    const pending = call<{ checks: Record<string, { status: string; detail?: string }> }>(world.app, {
      method: 'GET',
      url: '/readyz',
    }).then((result) => {
      settled = true;
      return result;
    });
    await world.clock.advance(1999);
    expect(settled).toBe(false);
    await world.clock.advance(1);
    const ready = await pending;
    expect(ready.status).toBe(503);
    expect(ready.body.checks['lock']).toEqual({ status: 'down', detail: 'no answer within 2000 ms' });
    expect(ready.body.checks['database']).toEqual({ status: 'up' });
  });

  it('stay ready with a degraded channel or one tenant’s channel down, and not when every channel is down', async () => {
    let channels: PortHealth['status'][] = ['up', 'degraded'];
    const world = await probeWorld((clock) => ({
      channels: () => Promise.resolve(channels.map((status) => ({ status, detail: `instance is ${status}`, checkedAt: clock.now() }))),
    }));
    const degraded = await call<{ checks: { channels: unknown } }>(world.app, { method: 'GET', url: '/readyz' });
    expect(degraded.status).toBe(200);
    expect(degraded.body.checks.channels).toEqual({
      status: 'degraded',
      instances: 2,
      detail: '1 of 2 channel instance(s) degraded: instance is degraded',
    });
    // Each tenant has its own channel: one tenant's outage must not take the server out of rotation.
    channels = ['down', 'up'];
    const oneDown = await call<{ checks: { channels: { status: string } } }>(world.app, { method: 'GET', url: '/readyz' });
    expect(oneDown.status).toBe(200);
    expect(oneDown.body.checks.channels.status).toBe('degraded');
    channels = ['down', 'down'];
    expect((await call(world.app, { method: 'GET', url: '/readyz' })).status).toBe(503);
  });

  it('serve the metrics in the Prometheus text format, counting requests by route template', async () => {
    const world = await probeWorld();
    const lead = await seedLead(world.store, world.acme.tenant.id, world.clock.now());
    expect((await call(world.app, { method: 'GET', url: `/v1/leads/${lead.id}`, key: world.acme.key })).status).toBe(200);
    expect((await call(world.app, { method: 'GET', url: '/no/such/route?phone=5511999990000' })).status).toBe(404);
    const scraped = await world.app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers['content-type']).toBe(world.metrics.contentType);
    expect(sample(scraped.body, 'sdr_http_requests_total', { method: 'GET', route: '/v1/leads/:id', status: '200' })).toBe(1);
    expect(sample(scraped.body, 'sdr_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(scraped.body, 'sdr_scheduler_pending_messages')).toBe(0);
    expect(scraped.body).not.toContain(lead.id);
    expect(scraped.body).not.toContain('5511999990000');
  });
});
