import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { call, createTestWorld, type IdJson } from './__fixtures__/test-context.js';
import { httpLogRedactPaths } from './logging.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug', redact: [...httpLogRedactPaths] }, stream) };
}

/** The lines as text without the values generated per run (ids, times, process id), which can contain any digits. */
function withoutGeneratedValues(lines: Record<string, unknown>[]): string {
  const generated = new Set(['requestId', 'tenantId', 'leadId', 'time', 'pid', 'hostname', 'responseTimeMs']);
  return JSON.stringify(lines, (key, value: unknown) => (generated.has(key) ? undefined : value));
}

describe('request logging', () => {
  it('logs one line per request with request, tenant and lead ids, and never a body, phone, key or query string', async () => {
    const { lines, logger } = capturingLogger();
    const w = await createTestWorld({ loggerInstance: logger });
    const lead = await call<IdJson>(w.app, {
      method: 'POST',
      url: '/v1/leads',
      key: w.acme.key,
      body: { phone: '+55 11 98765-4321', name: 'Ana Souza' },
      headers: { 'x-request-id': 'req-1' },
    });
    await call(w.app, {
      method: 'POST',
      url: `/v1/leads/${lead.body.id}/messages`,
      key: w.acme.key,
      body: { direction: 'inbound', body: 'meu cpf é 123' },
    });
    await call(w.app, { method: 'GET', url: `/v1/leads/${lead.body.id}/messages?limit=5`, key: w.acme.key });
    await call(w.app, { method: 'POST', url: '/v1/leads', key: w.acme.key, body: { phone: '+55 11 5555' } });
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(4);
    expect(completed[0]).toMatchObject({ requestId: 'req-1', tenantId: w.acme.tenant.id, route: '/v1/leads', statusCode: 201 });
    expect(completed[1]).toMatchObject({ tenantId: w.acme.tenant.id, leadId: lead.body.id, route: '/v1/leads/:id/messages' });
    expect(completed[2]?.path).toBe(`/v1/leads/${lead.body.id}/messages`);
    const all = JSON.stringify(lines);
    for (const secret of ['987654321', '98765-4321', 'Ana Souza', 'cpf', w.acme.key, 'limit=5', '11 5555'])
      expect(all).not.toContain(secret);
  });

  it('logs a server error with its request id, masked, and answers without internals', async () => {
    const { lines, logger } = capturingLogger();
    const w = await createTestWorld({ loggerInstance: logger });
    w.store.leads.list = () => Promise.reject(new Error('connection to db failed while reading +55 11 98765-4321'));
    const response = await call<{ detail: string; requestId: string }>(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key });
    expect(response.status).toBe(500);
    expect(response.body.detail).not.toContain('db');
    const failure = lines.find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({ requestId: response.body.requestId });
    expect(JSON.stringify(failure)).toContain('connection to db failed');
    expect(withoutGeneratedValues(lines)).not.toContain('98765');
  });
});
