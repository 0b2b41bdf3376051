/**
 * Secrets at rest: AES-256-GCM (`node:crypto`) with a 32-byte key, a fresh 12-byte nonce per
 * value and a 16-byte tag. Each ciphertext names the id of the key that sealed it (the first 8
 * hex digits of the key's SHA-256, which says nothing of the key), so that after a key change the
 * previous keys still open old values and `sdr keys rotate` knows which ones to seal again.
 *
 * A value is sealed for a **context** (e.g. `integration:<tenant>:<kind>`), passed as GCM's
 * additional data: a ciphertext copied to another tenant's row does not open there. A ciphertext
 * that was altered, sealed for another context, or sealed by a key this process does not hold is
 * an error (`SecretBoxError`), never an empty or default value.
 *
 * Format: `v1.<keyId>.<nonce>.<tag>.<ciphertext>`, the last three in base64url.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { SdrError, ValidationError } from '@sdr/core';

const keyBytes = 32;
const nonceBytes = 12;
const tagBytes = 16;

/** A ciphertext that cannot be opened: altered, sealed for another context, or by an unknown key. */
export class SecretBoxError extends SdrError {
  static override readonly kind: string = 'SecretBoxError';

  constructor(message: string) {
    super(message, 'internal');
  }
}

/** Seals and opens secrets (see the module comment). */
export interface SecretBox {
  /** The id of the key new values are sealed with. */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  /** The plaintext; a `SecretBoxError` when the ciphertext cannot be opened. */
  open(ciphertext: string, context: string): string;
  /** Whether `ciphertext` was sealed by a key other than the current one. */
  needsRotation(ciphertext: string): boolean;
  /**
   * A 32-byte key for one `purpose` (e.g. signing OAuth states), derived from the current key
   * with HKDF-SHA256: it reveals nothing of the key, and changes when the key does.
   */
  deriveKey(purpose: string): Buffer;
}

/** The id a ciphertext carries for `key`. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Decodes a base64 key of exactly 32 bytes; anything else is a `ValidationError` naming `field`
 * (the value itself is never repeated).
 */
export function decodeKey(field: string, base64: string): Buffer {
  const text = base64.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== keyBytes) {
    throw ValidationError.forField(field, 'must be 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`)');
  }
  return key;
}

/** Creates a box sealing with `key` and opening with it and each of `previous`. */
export function createSecretBox(input: { readonly key: Buffer; readonly previous?: readonly Buffer[] }): SecretBox {
  if (input.key.length !== keyBytes) throw ValidationError.forField('key', 'must be 32 bytes');
  const keys = new Map<string, Buffer>();
  for (const key of [...(input.previous ?? []), input.key]) {
    if (key.length !== keyBytes) throw ValidationError.forField('previous', 'each key must be 32 bytes');
    keys.set(keyIdOf(key), key);
  }
  const keyId = keyIdOf(input.key);

  const parse = (ciphertext: string) => {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretBoxError('a stored secret is not a ciphertext of this server');
    const [, id = '', nonce = '', tag = '', body = ''] = parts;
    return { id, nonce: Buffer.from(nonce, 'base64url'), tag: Buffer.from(tag, 'base64url'), body: Buffer.from(body, 'base64url') };
  };

  return {
    keyId,
    seal(plaintext, context) {
      const nonce = randomBytes(nonceBytes);
      const cipher = createCipheriv('aes-256-gcm', input.key, nonce, { authTagLength: tagBytes });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', keyId, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(ciphertext, context) {
      const { id, nonce, tag, body } = parse(ciphertext);
      const key = keys.get(id);
      if (key === undefined) {
        throw new SecretBoxError(
          `a stored secret was sealed with key ${id}, which is neither SDR_ENCRYPTION_KEY nor one of SDR_ENCRYPTION_KEYS_PREVIOUS`,
        );
      }
      if (nonce.length !== nonceBytes || tag.length !== tagBytes) throw new SecretBoxError('a stored secret is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: tagBytes });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`a stored secret failed its integrity check (altered, or not sealed for ${context})`);
      }
    },
    needsRotation(ciphertext) {
      return parse(ciphertext).id !== keyId;
    },
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', input.key, Buffer.alloc(0), `sdr:${purpose}`, keyBytes));
    },
  };
}
