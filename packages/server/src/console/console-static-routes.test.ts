/**
 * The console's static routes on a real listening app over a directory laid out like a console
 * build: cache headers (immutable hashed assets, revalidated page), the SPA fallback for views,
 * a plain 404 for missing files, the security headers, and the honest 503 when it is not built.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleStaticRoutes } from './console-static-routes.js';

const page = '<!doctype html><title>console</title><div id="app"></div>';

async function serve(root: string | null): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(createConsoleStaticRoutes({ root }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

describe('the console at /console/', () => {
  let root: string;
  let served: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sdr-console-static-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), page);
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log("console")');
    served = await serve(root);
  });
  afterAll(async () => {
    await served.app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the page revalidated on every load, with a strict content security policy', async () => {
    const response = await fetch(`${served.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(page);
  });

  it('caches hashed assets for a year', async () => {
    const response = await fetch(`${served.url}/console/assets/index-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers a view of the app with the page (SPA fallback), and /console with a redirect', async () => {
    const view = await fetch(`${served.url}/console/leads/3f1c2a9e-0000-4000-8000-000000000000`);
    expect(view.status).toBe(200);
    expect(view.headers.get('cache-control')).toBe('no-cache');
    expect(view.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await view.text()).toBe(page);
    const bare = await fetch(`${served.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('answers a missing file with a 404 problem, never with the page', async () => {
    const response = await fetch(`${served.url}/console/assets/gone-000.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: 'route_not_found', detail: 'no file gone-000.js in the console' });
  });

  it('says how to build the console when it is not built', async () => {
    const unbuilt = await serve(null);
    try {
      const response = await fetch(`${unbuilt.url}/console/`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'console_not_built', detail: expect.stringContaining('pnpm build') });
    } finally {
      await unbuilt.app.close();
    }
  });
});
