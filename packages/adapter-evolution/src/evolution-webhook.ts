/**
 * Framework-free helpers for the server's webhook route.
 *
 * Evolution does not sign its deliveries. A delivery is accepted only when it proves it knows the
 * tenant's webhook secret, in one of the two ways Evolution can be configured to send it:
 * - a static header, `x-webhook-secret: <secret>` (compared in constant time), or
 * - `Authorization: Bearer <JWT>`, which Evolution signs with HS256 when the webhook's headers
 *   hold `jwt_key: <secret>` (claims `iat`, `exp` 10 minutes later, `app`, `action`); signature
 *   and `exp` are checked, any other algorithm (`none` included) is refused.
 *
 * `parseEvolutionWebhook` then validates the envelope and normalises its event.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ValidationError, parseOrThrow } from '@sdr/core';
import { errors as joseErrors, jwtVerify } from 'jose';
import { evolutionWebhookEnvelopeSchema } from './evolution-api.js';
import { mapEvolutionConnection, mapEvolutionMessage, mapEvolutionStatus, type EvolutionWebhookEvent } from './map-evolution-webhook.js';

/** The header that carries the shared secret in `header` mode. */
export const evolutionWebhookSecretHeader = 'x-webhook-secret';

/** Request headers as Node (`IncomingHttpHeaders`), Fastify or the Fetch API (`Headers`) give them. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Input of `verifyEvolutionWebhook`. */
export interface VerifyEvolutionWebhookInput {
  readonly headers: WebhookHeaders;
  /** The tenant's webhook secret. */
  readonly secret: string;
  /** Now, to check the JWT's `exp`. */
  readonly now: Date;
  /** Tolerated clock difference with Evolution for `exp`/`nbf`, in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
}

/** Why a delivery was refused: say 401 whatever it is, and log the reason. */
export type WebhookRefusal = 'missing' | 'wrong_secret' | 'invalid_token' | 'expired_token';

/** The verdict on a delivery's credentials. */
export type WebhookVerification =
  | { readonly ok: true; readonly method: 'header' | 'jwt' }
  | { readonly ok: false; readonly reason: WebhookRefusal };

/**
 * Checks a delivery's credentials against the tenant's secret. Never throws for bad credentials
 * (only for an empty `secret`, a configuration error); the caller answers 401 and stores nothing
 * unless `ok`.
 */
export async function verifyEvolutionWebhook(input: VerifyEvolutionWebhookInput): Promise<WebhookVerification> {
  if (input.secret === '') throw ValidationError.forField('secret', 'must not be empty');
  const headerSecret = readHeader(input.headers, evolutionWebhookSecretHeader);
  if (headerSecret !== undefined) {
    return constantTimeEqual(headerSecret, input.secret) ? { ok: true, method: 'header' } : { ok: false, reason: 'wrong_secret' };
  }
  const authorization = readHeader(input.headers, 'authorization');
  const token = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (token === undefined) return { ok: false, reason: authorization === undefined ? 'missing' : 'invalid_token' };
  try {
    await jwtVerify(token, new TextEncoder().encode(input.secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      currentDate: input.now,
      clockTolerance: input.clockToleranceSeconds ?? 30,
    });
    return { ok: true, method: 'jwt' };
  } catch (error) {
    return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired_token' : 'invalid_token' };
  }
}

// Hashing first gives both sides the same length, so the comparison time says nothing of the
// secret's length either.
function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  // A header sent twice is ambiguous: refuse rather than pick one.
  if (Array.isArray(value)) return value.length === 1 ? (value[0] as string) : '';
  return typeof value === 'string' ? value : undefined;
}

/** A delivery's envelope, without its `apikey` (an instance token that must not be stored or logged). */
export interface EvolutionWebhookEnvelope {
  /** The event name as Evolution sent it (`messages.upsert`). */
  readonly event: string;
  readonly instance: string;
  readonly data: unknown;
  readonly destination?: string | null | undefined;
  readonly date_time?: string | null | undefined;
  readonly sender?: string | null | undefined;
  readonly server_url?: string | null | undefined;
  readonly [field: string]: unknown;
}

/** A parsed delivery: what to store, and what it means. */
export interface ParsedEvolutionWebhook {
  readonly envelope: EvolutionWebhookEnvelope;
  readonly event: EvolutionWebhookEvent;
}

/**
 * Validates a delivery's JSON body and normalises its event. The envelope comes back without
 * `apikey`. An unknown event is `ignored` (answer 2xx and count it); a known event whose data is
 * malformed is a `ValidationError` naming the field (answer 400: Evolution does not retry it).
 */
export function parseEvolutionWebhook(body: unknown): ParsedEvolutionWebhook {
  const parsed = parseOrThrow(evolutionWebhookEnvelopeSchema, body);
  const { apikey: _apikey, ...envelope } = parsed;
  const { instance, data } = envelope;
  // `messages.upsert` as Evolution names events in payloads; `MESSAGES_UPSERT` as in its settings.
  const name = envelope.event.toLowerCase().replace(/_/g, '.');
  let event: EvolutionWebhookEvent;
  switch (name) {
    case 'messages.upsert':
      event = mapEvolutionMessage({ data, instance, origin: 'upsert' });
      break;
    case 'send.message':
      event = mapEvolutionMessage({ data, instance, origin: 'send' });
      break;
    case 'messages.update':
      event = mapEvolutionStatus({ data, instance });
      break;
    case 'connection.update':
      event = mapEvolutionConnection({ data, instance });
      break;
    default:
      event = { kind: 'ignored', event: envelope.event, reason: 'unknown_event' };
  }
  return { envelope, event };
}
