/**
 * One signed POST to a webhook endpoint, the Standard Webhooks way (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), signed by the `standardwebhooks` package — with the
 * previous secret too while it is still valid after a rotation.
 *
 * SSRF guard: the address the connection is made to — the resolved one, not the name in the URL
 * — must not be private, loopback, link-local or otherwise internal unless private addresses are
 * allowed (`SDR_WEBHOOKS_ALLOW_PRIVATE=true`). Checking in the socket's own lookup leaves no
 * window between the check and the connection (DNS rebinding).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { maskPersonalData } from '@sdr/core';
import { Webhook } from 'standardwebhooks';

/** What an attempt came to. */
export interface SendResult {
  /** The HTTP status, `null` when no response came (refused, unreachable, timed out). */
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  /** The start of the response body, personal data masked. */
  readonly responseSnippet: string | null;
}

const internalRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internalRanges.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  internalRanges.addSubnet(network, prefix, 'ipv6');

/** True for an address a webhook must not reach without `allowPrivate` (IPv4-mapped IPv6 checked as IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return internalRanges.check(mapped[1], 'ipv4');
  return internalRanges.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** The refusal of an internal address. */
export class InternalAddressError extends Error {
  constructor(address: string) {
    super(`the endpoint resolves to ${address}, a private, loopback or link-local address (SDR_WEBHOOKS_ALLOW_PRIVATE=true allows it)`);
    this.name = 'InternalAddressError';
  }
}

/** A socket lookup that refuses internal addresses. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, options, (error, address: string | LookupAddress[], family?: number) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const refused = allowPrivate ? undefined : addresses.find(isInternalAddress);
      if (refused !== undefined) {
        callback(new InternalAddressError(refused), '', 0);
        return;
      }
      (callback as (error: null, address: string | LookupAddress[], family?: number) => void)(null, address, family);
    });
  };
}

/** The `webhook-signature` header: one `v1,…` per secret, space-separated. */
export function signatureHeader(secrets: readonly string[], messageId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

/** Sends `body` to `url`, signed with every secret in `secrets`. Never throws: failures are results. */
export async function sendWebhook(input: {
  readonly url: string;
  readonly messageId: string;
  readonly body: string;
  readonly secrets: readonly string[];
  readonly timestamp: Date;
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
}): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string): SendResult => ({ statusCode: null, latencyMs: elapsed(), error, responseSnippet: null });
  let target: URL;
  try {
    target = new URL(input.url);
  } catch {
    return failure('the endpoint URL is not a URL');
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!input.allowPrivate && isIP(host) !== 0 && isInternalAddress(host)) return failure(new InternalAddressError(host).message);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'sdr-webhooks/1',
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': signatureHeader(input.secrets, input.messageId, input.timestamp, input.body),
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    const request = send(
      target,
      { method: 'POST', headers, lookup: guardedLookup(input.allowPrivate), timeout: input.timeoutMs },
      (response: IncomingMessage) => {
        let snippet = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (snippet.length < 512) snippet += chunk.slice(0, 512 - snippet.length);
        });
        response.on('end', () => {
          const statusCode = response.statusCode ?? 0;
          const ok = statusCode >= 200 && statusCode < 300;
          resolve({
            statusCode,
            latencyMs: elapsed(),
            error: ok ? null : `the endpoint answered ${String(statusCode)}`,
            responseSnippet: snippet === '' ? null : maskPersonalData(snippet),
          });
        });
        response.on('error', (error) => resolve(failure(error.message)));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${String(input.timeoutMs)} ms`)));
    request.on('error', (error) => resolve(failure(error.message)));
    request.end(input.body);
  });
}
