/**
 * Bad input never gets past the boundary: malformed JSON, wrong types, unknown fields, oversized
 * bodies, junk phones — each is a problem document naming the offending field, and nothing is
 * written.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  createTestWorld,
  operatorKey,
  type CallInput,
  type IdJson,
  type ProblemJson,
  type TestWorld,
  textWithoutIds,
} from './__fixtures__/test-context.js';

interface Case {
  readonly label: string;
  readonly request: (leadId: string) => Omit<CallInput, 'key'> & { readonly key?: string };
  readonly status: number;
  /** The fields the problem must name. */
  readonly fields?: readonly string[];
  readonly code: string;
}

const cases: readonly Case[] = [
  {
    label: 'malformed JSON',
    request: () => ({ method: 'POST', url: '/v1/leads', body: '{"phone": "+55119' }),
    status: 400,
    fields: ['body'],
    code: 'validation_failed',
  },
  {
    label: 'an empty JSON body',
    request: () => ({ method: 'POST', url: '/v1/leads', body: '', headers: { 'content-type': 'application/json' } }),
    status: 400,
    fields: ['body'],
    code: 'validation_failed',
  },
  {
    label: 'a number for a phone',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: 5511987654321 } }),
    status: 400,
    fields: ['body.phone'],
    code: 'validation_failed',
  },
  {
    label: 'a junk phone',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: 'call me maybe' } }),
    status: 400,
    fields: ['body.phone'],
    code: 'validation_failed',
  },
  {
    label: 'too few digits',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: '12345' } }),
    status: 400,
    fields: ['body.phone'],
    code: 'validation_failed',
  },
  {
    label: 'an unknown field',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: '+5511987654321', colour: 'blue' } }),
    status: 400,
    fields: ['body.colour'],
    code: 'validation_failed',
  },
  {
    label: 'a name too long',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: '+5511987654321', name: 'x'.repeat(201) } }),
    status: 400,
    fields: ['body.name'],
    code: 'validation_failed',
  },
  {
    label: 'an array for a body',
    request: () => ({ method: 'POST', url: '/v1/leads', body: [1, 2] }),
    status: 400,
    fields: ['body'],
    code: 'validation_failed',
  },
  {
    label: 'a nested unknown field and a wrong type',
    request: (leadId) => ({ method: 'PATCH', url: `/v1/leads/${leadId}`, body: { tags: { add: 'vip', drop: ['x'] } } }),
    status: 400,
    fields: ['body.tags.add', 'body.tags.drop'],
    code: 'validation_failed',
  },
  {
    label: 'an empty patch',
    request: (leadId) => ({ method: 'PATCH', url: `/v1/leads/${leadId}`, body: {} }),
    status: 400,
    fields: ['body'],
    code: 'validation_failed',
  },
  {
    label: 'an unknown message direction',
    request: (leadId) => ({ method: 'POST', url: `/v1/leads/${leadId}/messages`, body: { direction: 'sideways', body: 'hi' } }),
    status: 400,
    fields: ['body.direction'],
    code: 'validation_failed',
  },
  {
    label: 'a start without an offset',
    request: (leadId) => ({ method: 'POST', url: `/v1/leads/${leadId}/appointments`, body: { start: '2026-03-03T10:00:00' } }),
    status: 400,
    fields: ['body.start'],
    code: 'validation_failed',
  },
  {
    label: 'an override asked for as the lead',
    request: (leadId) => ({
      method: 'POST',
      url: `/v1/leads/${leadId}/appointments`,
      body: { start: '2026-03-07T13:00:00Z', override: { availability: true } },
    }),
    status: 400,
    fields: ['body.override'],
    code: 'validation_failed',
  },
  {
    label: 'billing items that are not a list',
    request: () => ({ method: 'POST', url: '/v1/billing/imports', body: { items: 'all of them' } }),
    status: 400,
    fields: ['body.items'],
    code: 'validation_failed',
  },
  {
    label: 'a batch over 1000 items',
    request: () => ({ method: 'POST', url: '/v1/billing/imports', body: { items: Array.from({ length: 1001 }, () => ({})) } }),
    status: 400,
    fields: ['body.items'],
    code: 'validation_failed',
  },
  {
    label: 'a plan hash that is not one',
    request: () => ({ method: 'POST', url: '/v1/billing/plans/abc/apply', body: { items: [] } }),
    status: 400,
    fields: ['params.planHash'],
    code: 'validation_failed',
  },
  {
    label: 'an id that is not a UUID',
    request: () => ({ method: 'GET', url: '/v1/leads/lead-1' }),
    status: 400,
    fields: ['params.id'],
    code: 'validation_failed',
  },
  {
    label: 'a page size out of range',
    request: () => ({ method: 'GET', url: '/v1/leads?limit=0' }),
    status: 400,
    fields: ['query.limit'],
    code: 'validation_failed',
  },
  {
    label: 'a page size that is not a number',
    request: () => ({ method: 'GET', url: '/v1/leads?limit=many' }),
    status: 400,
    fields: ['query.limit'],
    code: 'validation_failed',
  },
  {
    label: 'a cursor of no list',
    request: () => ({ method: 'GET', url: '/v1/leads?cursor=bm9wZQ' }),
    status: 400,
    fields: ['query.cursor'],
    code: 'validation_failed',
  },
  {
    label: 'an unknown query parameter',
    request: () => ({ method: 'GET', url: '/v1/leads?sort=name' }),
    status: 400,
    fields: ['query.sort'],
    code: 'validation_failed',
  },
  {
    label: 'a body too large',
    request: () => ({ method: 'POST', url: '/v1/leads', body: { phone: '+5511987654321', name: 'x'.repeat(70 * 1024) } }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    label: 'a text body',
    request: () => ({ method: 'POST', url: '/v1/leads', body: 'phone=+5511987654321', headers: { 'content-type': 'text/plain' } }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    label: 'a form body',
    request: () => ({
      method: 'POST',
      url: '/v1/leads',
      body: 'phone=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    label: 'a tenant with a bad zone and an unknown setting',
    request: () => ({ method: 'POST', url: '/v1/tenants', key: operatorKey, body: { name: 'X', timeZone: 'Mars/Base', colour: 'red' } }),
    status: 400,
    fields: ['body.timeZone', 'body.colour'],
    code: 'validation_failed',
  },
  { label: 'an unknown route', request: () => ({ method: 'GET', url: '/v1/nothing-here' }), status: 404, code: 'route_not_found' },
];

function rows(world: TestWorld): unknown {
  const { apiKeys: _apiKeys, ...rest } = world.store.dump();
  return JSON.parse(JSON.stringify(rest));
}

describe('bad input', async () => {
  const world = await createTestWorld();
  const lead = await call<IdJson>(world.app, { method: 'POST', url: '/v1/leads', key: world.acme.key, body: { phone: '+5511900000000' } });

  it.each(cases.map((testCase) => [testCase.label, testCase] as const))(
    '%s ⇒ a problem naming the field, nothing written',
    async (_label, testCase) => {
      const before = rows(world);
      const request = testCase.request(lead.body.id);
      const response = await call<ProblemJson>(world.app, { key: world.acme.key, ...request });
      expect(response.status).toBe(testCase.status);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body).toMatchObject({ status: testCase.status, code: testCase.code, type: `urn:sdr:problem:${testCase.code}` });
      expect(response.body.detail).toEqual(expect.any(String));
      if (testCase.fields) expect(response.body.errors?.map((error) => error.field)).toEqual(testCase.fields);
      expect(rows(world)).toEqual(before);
    },
  );

  it('a junk phone’s problem masks the digits it echoes', async () => {
    const response = await call<ProblemJson>(world.app, {
      method: 'POST',
      url: '/v1/leads',
      key: world.acme.key,
      body: { phone: '+55 11 98765-432109876' },
    });
    expect(response.status).toBe(400);
    expect(textWithoutIds(response.text)).not.toContain('98765');
  });
});
