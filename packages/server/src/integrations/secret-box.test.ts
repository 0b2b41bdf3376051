import { randomBytes } from 'node:crypto';
import { ValidationError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { SecretBoxError, createSecretBox, decodeKey, keyIdOf } from './secret-box.js';

const secretText = 'kommo-long-lived-token-0123456789';

describe('the secret box (AES-256-GCM)', () => {
  it('round-trips, names its key id, and never shows the plaintext in the ciphertext', () => {
    const key = randomBytes(32);
    const box = createSecretBox({ key });
    const sealed = box.seal(secretText, 'integration:t1:crm');
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed.split('.')[1]).toBe(keyIdOf(key));
    expect(sealed).not.toContain(secretText);
    expect(Buffer.from(sealed.split('.')[4] ?? '', 'base64url').toString('utf8')).not.toContain(secretText);
    expect(box.open(sealed, 'integration:t1:crm')).toBe(secretText);
    // A fresh nonce each time: the same value never seals to the same text.
    expect(box.seal(secretText, 'integration:t1:crm')).not.toBe(sealed);
  });

  it('a tampered nonce, tag or body, or another context, fails loudly — never an empty value', () => {
    const box = createSecretBox({ key: randomBytes(32) });
    const sealed = box.seal(secretText, 'integration:t1:crm');
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const part = Buffer.from(parts[index] ?? '', 'base64url');
      part[0] = (part[0] ?? 0) ^ 1;
      const tampered = parts.map((text, at) => (at === index ? part.toString('base64url') : text)).join('.');
      expect(() => box.open(tampered, 'integration:t1:crm')).toThrow(SecretBoxError);
    }
    expect(() => box.open(sealed, 'integration:t2:crm')).toThrow(/integrity check/);
    expect(() => box.open('plain text', 'integration:t1:crm')).toThrow(SecretBoxError);
  });

  it('opens values of a previous key, knows they need rotation, and refuses a key it does not hold, naming its id', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBefore = createSecretBox({ key: oldKey }).seal(secretText, 'c');
    const rotated = createSecretBox({ key: newKey, previous: [oldKey] });
    expect(rotated.open(sealedBefore, 'c')).toBe(secretText);
    expect(rotated.needsRotation(sealedBefore)).toBe(true);
    expect(rotated.needsRotation(rotated.seal(secretText, 'c'))).toBe(false);
    const withoutOld = createSecretBox({ key: newKey });
    expect(() => withoutOld.open(sealedBefore, 'c')).toThrow(new RegExp(`sealed with key ${keyIdOf(oldKey)}`));
  });

  it('decodeKey takes exactly 32 bytes of base64 and names the variable otherwise, without repeating the value', () => {
    const key = randomBytes(32);
    expect(decodeKey('SDR_ENCRYPTION_KEY', key.toString('base64')).equals(key)).toBe(true);
    for (const bad of [randomBytes(16).toString('base64'), 'not base64 at all!', '']) {
      try {
        decodeKey('SDR_ENCRYPTION_KEY', bad);
        expect.unreachable();
      } catch (error) {
        expect(ValidationError.isInstance(error)).toBe(true);
        expect((error as ValidationError).fieldErrors.map((field) => field.field)).toEqual(['SDR_ENCRYPTION_KEY']);
        if (bad !== '') expect(JSON.stringify(error)).not.toContain(bad);
      }
    }
  });
});
