import { ValidationError } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import { describe, expect, it } from 'vitest';
import { tenantAuthentication } from './auth/authenticate.js';
import { call, createTestWorld, type ProblemJson } from './__fixtures__/test-context.js';
import { tenantOf } from './request-context.js';

describe('extra routes (the runtime’s sandbox and probes)', async () => {
  const world = await createTestWorld({
    extraRoutes: (context) => {
      const probes: FastifyPluginAsync = (app) => {
        app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
        return Promise.resolve();
      };
      const sandbox: FastifyPluginAsync = (app) => {
        app.addHook('onRequest', tenantAuthentication(context));
        app.get('/v1/sandbox/whoami', (request) => Promise.resolve({ tenantId: tenantOf(request).id }));
        app.post('/v1/sandbox/fail', () => Promise.reject(ValidationError.forField('phone', 'is empty')));
        return Promise.resolve();
      };
      return [probes, sandbox];
    },
  });

  it('are served without a key unless they add the tenant hook', async () => {
    expect(await call(world.app, { method: 'GET', url: '/healthz' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await call(world.app, { method: 'GET', url: '/v1/sandbox/whoami' })).status).toBe(401);
    const whoami = await call(world.app, { method: 'GET', url: '/v1/sandbox/whoami', key: world.globex.key });
    expect(whoami.body).toEqual({ tenantId: world.globex.tenant.id });
  });

  it('answer errors as problem documents too', async () => {
    const failed = await call<ProblemJson>(world.app, { method: 'POST', url: '/v1/sandbox/fail', key: world.acme.key, body: {} });
    expect(failed.status).toBe(400);
    expect(failed.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(failed.body.errors).toEqual([{ field: 'phone', message: 'is empty' }]);
  });
});
