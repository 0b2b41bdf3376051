import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kommoShapedConfigSchema } from './__fixtures__/kommo-shaped-config.js';
import { isSecretSchema, redactSecrets, secret, secretMarker, secretValuesOf } from './secrets.js';

const longLived = {
  subdomain: 'acme',
  auth: { type: 'long_lived', token: 'eyJ-long-lived-token' },
  webhookSecret: 'whsec-0123456789abcdef',
  stageMapping: { won: { pipelineId: '7000001', statusId: '142' } },
  extraHeaders: [
    { name: 'X-Proxy-Key', value: 'proxy-secret-1' },
    { name: 'X-Trace', value: 'proxy-secret-2' },
  ],
  signingKeys: { current: 'sign-current', previous: 'sign-previous' },
  requestsPerSecond: 5,
};

const oauth = {
  subdomain: 'acme',
  auth: {
    type: 'oauth',
    clientId: 'client-123',
    clientSecret: 'client-secret-xyz',
    redirectUri: 'https://sdr.example.com/oauth/kommo',
    refreshToken: 'def50200-refresh',
  },
};

describe('secret', () => {
  it('marks the field writeOnly in the JSON Schema, through optional, nullable, default, unions, arrays and records', () => {
    const json = JSON.stringify(z.toJSONSchema(kommoShapedConfigSchema, { io: 'input' }));
    const writeOnly = json.match(/"writeOnly":true/g) ?? [];
    // token, clientSecret, refreshToken, webhookSecret, extraHeaders[].value, signingKeys{}
    expect(writeOnly).toHaveLength(6);
    const schema = z.toJSONSchema(kommoShapedConfigSchema) as unknown as {
      properties: { auth: { oneOf: { properties: Record<string, unknown> }[] } };
    };
    expect(schema.properties.auth.oneOf[0]?.properties['token']).toMatchObject({ type: 'string', writeOnly: true });
    expect(schema.properties.auth.oneOf[1]?.properties['clientId']).not.toHaveProperty('writeOnly');
  });

  it('returns a marked copy with the other metadata kept; the original stays unmarked and parsing is unchanged', () => {
    const plain = z.string().min(3).meta({ description: 'API token' });
    const marked = secret(plain);
    expect(isSecretSchema(marked)).toBe(true);
    expect(isSecretSchema(plain)).toBe(false);
    expect(marked.meta()).toEqual({ description: 'API token', writeOnly: true });
    expect(marked.safeParse('ab').success).toBe(false);
    expect(marked.parse('abc')).toBe('abc');
  });
});

describe('redactSecrets', () => {
  it('replaces every secret of a Kommo-shaped configuration, leaving the rest, and copies deeply', () => {
    const config = kommoShapedConfigSchema.parse(longLived);
    const redacted = redactSecrets(kommoShapedConfigSchema, config);
    expect(redacted).toEqual({
      ...config,
      auth: { type: 'long_lived', token: secretMarker },
      webhookSecret: secretMarker,
      extraHeaders: [
        { name: 'X-Proxy-Key', value: secretMarker },
        { name: 'X-Trace', value: secretMarker },
      ],
      signingKeys: { current: secretMarker, previous: secretMarker },
    });
    expect(redacted.stageMapping).not.toBe(config.stageMapping);
    expect(config.auth).toEqual({ type: 'long_lived', token: 'eyJ-long-lived-token' });
  });

  it('follows the discriminator to the OAuth branch; an absent optional or a null secret stays as it is', () => {
    const config = kommoShapedConfigSchema.parse(oauth);
    expect(redactSecrets(kommoShapedConfigSchema, config).auth).toEqual({
      type: 'oauth',
      clientId: 'client-123',
      clientSecret: secretMarker,
      redirectUri: 'https://sdr.example.com/oauth/kommo',
      refreshToken: secretMarker,
    });
    const { refreshToken: _refreshToken, ...withoutRefresh } = oauth.auth;
    const partial = kommoShapedConfigSchema.parse({ ...oauth, auth: withoutRefresh });
    const redacted = redactSecrets(kommoShapedConfigSchema, partial);
    expect(redacted.auth).not.toHaveProperty('refreshToken');
    expect(redacted.webhookSecret).toBeNull();
  });

  it('redacts an unparsed (raw) value too, and every branch of a union when the branch cannot be told', () => {
    expect(
      redactSecrets(kommoShapedConfigSchema, { ...longLived, auth: { type: 'unknown', token: 't', clientSecret: 'c' } }),
    ).toMatchObject({
      auth: { type: 'unknown', token: secretMarker, clientSecret: secretMarker },
    });
    const either = z.union([z.object({ apiKey: secret(z.string()) }), z.object({ password: secret(z.string()), user: z.string() })]);
    expect(redactSecrets(either, { user: 'ana', password: 'p4ss' })).toEqual({ user: 'ana', password: secretMarker });
  });

  it('works through pipes, intersections, tuples, lazy schemas and a secret object', () => {
    const schema = z.object({
      piped: secret(z.string()).transform((text) => text.trim()),
      both: z.intersection(z.object({ a: secret(z.string()) }), z.object({ b: z.string() })),
      pair: z.tuple([z.string(), secret(z.string())]),
      lazy: z.lazy(() => z.object({ key: secret(z.string()) })),
      whole: secret(z.object({ user: z.string(), pass: z.string() })),
    });
    const value = {
      piped: ' s1 ',
      both: { a: 's2', b: 'open' },
      pair: ['open', 's3'],
      lazy: { key: 's4' },
      whole: { user: 'u', pass: 's5' },
    };
    expect(redactSecrets(schema, value)).toEqual({
      piped: secretMarker,
      both: { a: secretMarker, b: 'open' },
      pair: ['open', secretMarker],
      lazy: { key: secretMarker },
      whole: secretMarker,
    });
    expect(secretValuesOf(schema, value).sort()).toEqual([' s1 ', 's2', 's3', 's4', 'u', 's5'].sort());
  });
});

describe('secretValuesOf', () => {
  it('lists each secret string of a configuration once, for log and response scrubbing', () => {
    const config = kommoShapedConfigSchema.parse({ ...longLived, signingKeys: { current: 'same', previous: 'same' } });
    expect(secretValuesOf(kommoShapedConfigSchema, config).sort()).toEqual(
      ['eyJ-long-lived-token', 'whsec-0123456789abcdef', 'proxy-secret-1', 'proxy-secret-2', 'same'].sort(),
    );
    expect(secretValuesOf(kommoShapedConfigSchema, kommoShapedConfigSchema.parse(oauth)).sort()).toEqual(
      ['client-secret-xyz', 'def50200-refresh'].sort(),
    );
    expect(secretValuesOf(z.object({ name: z.string() }), { name: 'public' })).toEqual([]);
  });
});
