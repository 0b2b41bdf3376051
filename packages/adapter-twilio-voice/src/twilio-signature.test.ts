import { describe, expect, it } from 'vitest';
import { computeTwilioSignature, twilioBodyHash, urlPortVariants, validateTwilioSignature } from './twilio-signature.js';

// Twilio's documented example (its request-validation snippet): this URL, token and form
// parameters are published with the signature below.
const documented = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

describe('validateTwilioSignature', () => {
  it('accepts Twilio’s documented example and computes its published signature', () => {
    expect(computeTwilioSignature(documented.authToken, documented.url, documented.params)).toBe(documented.signature);
    expect(validateTwilioSignature(documented)).toEqual({ ok: true });
  });

  it('sorts the parameters by name whatever order they came in', () => {
    const reversed = Object.fromEntries(Object.entries(documented.params).reverse());
    expect(validateTwilioSignature({ ...documented, params: reversed })).toEqual({ ok: true });
  });

  it('accepts the URL signed with its default port, and signed without it when configured with it', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    const signedWithPort = computeTwilioSignature('12345', withPort, documented.params);
    expect(validateTwilioSignature({ ...documented, signature: signedWithPort })).toEqual({ ok: true });
    expect(validateTwilioSignature({ ...documented, url: withPort })).toEqual({ ok: true });
    expect(urlPortVariants('wss://example.com/ws')).toEqual(['wss://example.com/ws', 'wss://example.com:443/ws']);
    expect(urlPortVariants('https://example.com:8443/x')).toEqual(['https://example.com:8443/x']);
    expect(urlPortVariants('http://example.com:80/x?y=1')).toEqual(['http://example.com:80/x?y=1', 'http://example.com/x?y=1']);
  });

  it('refuses a forged signature, a changed parameter, another token and an added parameter', () => {
    expect(validateTwilioSignature({ ...documented, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B9=' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(validateTwilioSignature({ ...documented, params: { ...documented.params, Digits: '9' } })).toMatchObject({ ok: false });
    expect(validateTwilioSignature({ ...documented, authToken: '54321' })).toMatchObject({ ok: false });
    expect(validateTwilioSignature({ ...documented, params: { ...documented.params, Extra: 'x' } })).toMatchObject({ ok: false });
  });

  it('refuses a signed request replayed to another URL (another tenant, another path, another host)', () => {
    for (const url of [
      'https://mycompany.com/myapp.php?foo=1&bar=3',
      'https://mycompany.com/other.php?foo=1&bar=2',
      'https://evil.example/myapp.php?foo=1&bar=2',
      'http://mycompany.com/myapp.php?foo=1&bar=2',
    ]) {
      expect(validateTwilioSignature({ ...documented, url })).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('refuses an unsigned request', () => {
    expect(validateTwilioSignature({ ...documented, signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(validateTwilioSignature({ ...documented, signature: '' })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(validateTwilioSignature({ ...documented, signature: ['a', 'b'] })).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it('checks a JSON body through bodySHA256: the URL is signed alone, the hash must match the raw body', () => {
    const body = '{"property": "value", "boolean": true}';
    const hash = twilioBodyHash(body);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const url = `https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${hash}`;
    const signature = computeTwilioSignature('12345', url);
    expect(validateTwilioSignature({ authToken: '12345', url, signature, rawBody: body })).toEqual({ ok: true });
    expect(validateTwilioSignature({ authToken: '12345', url, signature, rawBody: Buffer.from(body) })).toEqual({ ok: true });
    // The body changed on the way: its hash no longer matches the signed one.
    expect(validateTwilioSignature({ authToken: '12345', url, signature, rawBody: '{"property": "other", "boolean": true}' })).toEqual({
      ok: false,
      reason: 'body_hash_mismatch',
    });
    // The hash swapped for the new body's: the URL's signature no longer holds.
    const forgedUrl = `https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${twilioBodyHash('{}')}`;
    expect(validateTwilioSignature({ authToken: '12345', url: forgedUrl, signature, rawBody: '{}' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    // A JSON body whose URL carries no hash is not vouched for.
    expect(validateTwilioSignature({ authToken: '12345', url: documented.url, signature, rawBody: body })).toEqual({
      ok: false,
      reason: 'missing_body_hash',
    });
  });

  it('signs repeated parameters value by value, sorted', () => {
    const url = 'https://example.com/hook';
    const signature = computeTwilioSignature('t', url, { B: ['2', '1'], A: 'x' });
    expect(signature).toBe(computeTwilioSignature('t', url, { A: 'x', B: ['1', '2'] }));
    expect(validateTwilioSignature({ authToken: 't', url, signature, params: { A: 'x', B: ['1', '2'] } })).toEqual({ ok: true });
  });
});
