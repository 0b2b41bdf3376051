/**
 * What the HTTP layer logs, and what it must never log. Requests are logged by the app itself
 * (one line per response: method, route, status, time, request/tenant/lead ids) instead of
 * Fastify's default serializers, so that no body, query string, header or phone number reaches a
 * log line. `httpLogRedactPaths` is for the pino instance the server passes in, as a second guard
 * for anything logged deliberately.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { redactKommoWebhookPath } from '@sdr/adapter-kommo';

/** pino `redact` paths for the server's logger: credentials, bodies and personal data. */
export const httpLogRedactPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'body',
  '*.body',
  'phone',
  '*.phone',
  'email',
  '*.email',
  'key',
  '*.key',
];

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the caller's `x-request-id` when it is a sane token, otherwise a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && requestIdPattern.test(header) ? header : randomUUID();
}

/**
 * The path of a URL without its query string (which may carry personal data), and with the
 * secret of a Kommo webhook URL redacted: what request logs and problem documents show.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return redactKommoWebhookPath(query === -1 ? url : url.slice(0, query));
}
