/**
 * `X-Twilio-Signature`: how Twilio signs each webhook and WebSocket handshake, and its check.
 *
 * The signed text is the full public URL Twilio requested (query string included) followed, for
 * form POSTs, by every form parameter sorted by name as `name + value`; the signature is the
 * base64 HMAC-SHA1 of that text keyed with the account's Auth Token. A JSON body is not appended:
 * its URL carries `bodySHA256` (hex SHA-256 of the raw body), so the URL is signed alone and the
 * hash is compared with the body. Twilio may have signed the URL with or without the scheme's
 * default port (`:443`), so both spellings are tried. Comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The form parameters of a request: a name may repeat. */
export type TwilioParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The header Twilio puts the signature in (lower case, as Node gives headers). */
export const twilioSignatureHeader = 'x-twilio-signature';

/** What to check. */
export interface TwilioSignatureInput {
  /** The account's Auth Token. */
  readonly authToken: string;
  /** The public URL Twilio requested, exactly as configured (scheme, host, path, query). */
  readonly url: string;
  /** The `X-Twilio-Signature` header; missing ⇒ refused. */
  readonly signature: string | readonly string[] | undefined;
  /** Form parameters of an `application/x-www-form-urlencoded` POST. */
  readonly params?: TwilioParams;
  /** The raw body of a JSON POST (its URL must carry `bodySHA256`). */
  readonly rawBody?: string | Uint8Array;
}

/** Why a request was refused. */
export type TwilioSignatureRefusal = 'missing_signature' | 'bad_signature' | 'body_hash_mismatch' | 'missing_body_hash';

/** The check's verdict. */
export type TwilioSignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: TwilioSignatureRefusal };

const defaultPorts: Readonly<Record<string, string>> = { 'https:': '443', 'wss:': '443', 'http:': '80', 'ws:': '80' };
const authority = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)(.*)$/is;

/** The text Twilio signs: the URL, then each parameter sorted by name as `name + value`. */
export function twilioSignedText(url: string, params: TwilioParams = {}): string {
  let text = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : [...value].sort();
    for (const one of values) text += name + one;
  }
  return text;
}

/** Twilio's signature of a request to `url` with `params` (tests and the local phone sign with it). */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  return createHmac('sha1', authToken).update(twilioSignedText(url, params), 'utf8').digest('base64');
}

/** Hex SHA-256 of a raw body, as Twilio puts it in `bodySHA256`. */
export function twilioBodyHash(rawBody: string | Uint8Array): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

/**
 * `url` with its default port written and without it (the other spelling second); a URL with a
 * non-default port or none that can be parsed is returned alone.
 */
export function urlPortVariants(url: string): readonly string[] {
  const match = authority.exec(url);
  if (match === null) return [url];
  const [, scheme = '', host = '', rest = ''] = match;
  const port = defaultPorts[scheme.toLowerCase()];
  if (port === undefined) return [url];
  const hostPort = /^(.*?)(?::(\d+))?$/.exec(host);
  const bare = hostPort?.[1] ?? host;
  const given = hostPort?.[2];
  if (given === undefined) return [url, `${scheme}//${bare}:${port}${rest}`];
  if (given === port) return [url, `${scheme}//${bare}${rest}`];
  return [url];
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Lengths of a base64 SHA-1 or a hex SHA-256 are public; the contents are compared in constant time.
  return a.length === b.length && timingSafeEqual(a, b);
}

function bodyHashOf(url: string): string | null {
  const query = url.indexOf('?');
  if (query < 0) return null;
  const hash = url.indexOf('#', query);
  return new URLSearchParams(url.slice(query + 1, hash < 0 ? undefined : hash)).get('bodySHA256');
}

/** Checks a request's `X-Twilio-Signature` (see the module comment); never throws. */
export function validateTwilioSignature(input: TwilioSignatureInput): TwilioSignatureVerdict {
  const header = input.signature;
  const signature = typeof header === 'string' ? header : header?.length === 1 ? header[0] : undefined;
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing_signature' };
  const bodyHash = bodyHashOf(input.url);
  if (input.rawBody !== undefined && bodyHash === null) return { ok: false, reason: 'missing_body_hash' };
  // A JSON body is vouched for by its hash in the signed URL; form parameters are signed themselves.
  const params = bodyHash === null ? (input.params ?? {}) : {};
  let signed = false;
  for (const url of urlPortVariants(input.url)) {
    // Every variant is computed, so the time taken does not tell which one matched.
    if (sameText(computeTwilioSignature(input.authToken, url, params), signature)) signed = true;
  }
  if (!signed) return { ok: false, reason: 'bad_signature' };
  if (bodyHash !== null && !sameText(twilioBodyHash(input.rawBody ?? ''), bodyHash.toLowerCase())) {
    return { ok: false, reason: 'body_hash_mismatch' };
  }
  return { ok: true };
}
