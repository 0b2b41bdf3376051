/**
 * The console's API types are generated from the server's own OpenAPI document, and committed.
 * These tests fail when what is committed is out of step with the server: a route changed and
 * `pnpm --filter @sdr/console generate:api` was not run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committed, fetchDocument, typesOf } from '../scripts/api-document.js';
import { startSdrServe, type SdrServe } from '../scripts/sdr-serve.js';

const regenerate = 'run `pnpm --filter @sdr/console generate:api` and commit the result';

describe('the committed API document and types', () => {
  let server: SdrServe;
  beforeAll(async () => {
    server = await startSdrServe();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('the document is the one `sdr serve` serves', async () => {
    const served = await fetchDocument(server.url);
    const { document } = await committed();
    expect(JSON.parse(document), `openapi/openapi.json is out of step with the server: ${regenerate}`).toEqual(JSON.parse(served));
  });

  it('the types are the ones generated from the document', async () => {
    const { document, types } = await committed();
    expect(types === (await typesOf(document)), `src/api/api-types.ts is out of step with openapi/openapi.json: ${regenerate}`).toBe(true);
  });

  it('the document lists the routes the console uses', async () => {
    const { document } = await committed();
    const paths = Object.keys((JSON.parse(document) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/tenant', '/v1/status', '/v1/events/stream', '/v1/appointments', '/v1/sandbox/inbound']),
    );
  });
});
