/**
 * Golden vectors of the canonical JSON and its SHA-256, the fingerprint of every billing plan (and
 * of idempotent API requests). A failure here means every stored plan hash would stop matching:
 * change a vector only together with a deliberate, announced change of the format. The hashes
 * were computed outside JavaScript (SHA-256 of the expected text, UTF-8).
 */
import { describe, expect, it } from 'vitest';
import { PhoneNumber } from '../identity/phone-number.js';
import { canonicalHash, canonicalJson } from './canonical-json.js';

const vectors: readonly { readonly name: string; readonly value: unknown; readonly json: string; readonly sha256: string }[] = [
  {
    name: 'keys sorted at every depth, array order kept',
    value: { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } },
    json: '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    sha256: '109c10372fece82dad3551747dc327d8b9213eb579e06542a2a4af2c76770b64',
  },
  {
    name: 'undefined is null at the top',
    value: undefined,
    json: 'null',
    sha256: '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b',
  },
  {
    name: 'values through their toJSON: a date as ISO-8601 UTC, a phone number as E.164',
    value: { phone: PhoneNumber.parse('+55 11 98765-4321'), at: new Date('2026-03-05T11:00:00-03:00') },
    json: '{"at":"2026-03-05T14:00:00.000Z","phone":"+5511987654321"}',
    sha256: 'b3570115fbe6dc4ea5c1523a33a52c4c1b45690531a04e13e41f47945e0c5c54',
  },
  {
    // JavaScript orders integer-like keys first, ascending by value, whatever the sort said.
    name: 'integer-like keys first, in numeric order',
    value: { b: 1, 10: 'x', 9: 'y', a: 2 },
    json: '{"9":"y","10":"x","a":2,"b":1}',
    sha256: '3515dc32fee86bcf2916f4ce2de8ca033e84377d8da86a458e38d74ef2c710ac',
  },
  {
    name: 'other keys by UTF-16 code unit: upper case, then _, lower case, then accented',
    value: { á: 4, b: 3, _: 2, B: 1 },
    json: '{"B":1,"_":2,"b":3,"á":4}',
    sha256: 'dff466e5ac792e016911cba9a53d9f697af811457a1cbbf07a3317219f2ff0cb',
  },
  {
    name: 'numbers as JavaScript prints them',
    value: [0.1 + 0.2, 1e21, -0, 0.00000015, 100.0],
    json: '[0.30000000000000004,1e+21,0,1.5e-7,100]',
    sha256: '3429678a3aa9cec37dac58739b7ebf2e45113005d067cc095f6cd39b3ab1cd73',
  },
  {
    name: 'undefined members dropped, undefined in arrays null, text unescaped beyond JSON',
    value: { note: 'R$ 1.234,56 — "ok"\n', skipped: undefined, list: [1, undefined, 'x'] },
    json: '{"list":[1,null,"x"],"note":"R$ 1.234,56 — \\"ok\\"\\n"}',
    sha256: '34b5c141482eb76c4b273224447f43546ddef92ff338c0bd248438e08d9f3355',
  },
];

describe('canonical JSON golden vectors', () => {
  it.each(vectors)('$name', ({ value, json, sha256 }) => {
    expect(canonicalJson(value)).toBe(json);
    expect(canonicalHash(value)).toBe(sha256);
  });

  it('does not depend on the order the keys were written in', () => {
    expect(canonicalHash({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(canonicalHash({ b: [{ d: 3, c: 2 }], a: 1 }));
  });
});
