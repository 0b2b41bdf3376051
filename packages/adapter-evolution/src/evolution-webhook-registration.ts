/**
 * `registerEvolutionWebhook`: points an instance's webhook at the server, so that an operator does
 * not configure it by hand — `POST /webhook/set/{instance}` in the nested body of v2.2 and later,
 * with the three events the server handles and the tenant's secret: as the `x-webhook-secret`
 * header (`auth: 'header'`) or as `jwt_key`, which makes Evolution send an HS256 bearer JWT signed
 * with it (`auth: 'jwt'`). `byEvents` stays off: every event goes to the one URL.
 */
import { ValidationError, systemClock, type Clock } from '@sdr/core';
import { evolutionWebhookEvents, webhookSetResponseSchema, type WebhookSetRequest } from './evolution-api.js';
import { createEvolutionClient, segment, unwrap, type EvolutionConnection } from './evolution-client.js';
import { evolutionWebhookSecretHeader } from './evolution-webhook.js';

/** How deliveries prove they come from the tenant's Evolution. */
export type EvolutionWebhookAuth = 'header' | 'jwt';

/** Input of `registerEvolutionWebhook`. */
export interface RegisterEvolutionWebhookInput extends EvolutionConnection {
  readonly instance: string;
  /** The server's webhook URL for the tenant (`https://sdr.example.com/webhooks/evolution/<tenant>`). */
  readonly url: string;
  /** The tenant's webhook secret. */
  readonly secret: string;
  /** `header` (default) or `jwt`. */
  readonly auth?: EvolutionWebhookAuth;
  /** Have Evolution put inbound media inline in the deliveries (default false: fetched on demand). */
  readonly base64?: boolean;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

/** What Evolution stored. */
export interface RegisteredEvolutionWebhook {
  readonly url: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
}

/** The body `registerEvolutionWebhook` sends (exported for the contract tests and the docs). */
export function evolutionWebhookSetBody(
  input: Pick<RegisterEvolutionWebhookInput, 'url' | 'secret' | 'auth' | 'base64'>,
): WebhookSetRequest {
  return {
    webhook: {
      enabled: true,
      url: input.url,
      headers: (input.auth ?? 'header') === 'jwt' ? { jwt_key: input.secret } : { [evolutionWebhookSecretHeader]: input.secret },
      byEvents: false,
      base64: input.base64 ?? false,
      events: [...evolutionWebhookEvents],
    },
  };
}

/** Registers (or replaces) the instance's webhook. Errors are mapped like every Evolution call. */
export async function registerEvolutionWebhook(input: RegisterEvolutionWebhookInput): Promise<RegisteredEvolutionWebhook> {
  if (!/^https?:\/\/[^\s]+$/i.test(input.url)) throw ValidationError.forField('url', 'must be an http or https URL Evolution can reach');
  if (input.secret.trim() === '') throw ValidationError.forField('secret', 'must not be empty');
  const client = createEvolutionClient(input);
  const clock = input.clock ?? systemClock;
  const answer = unwrap(
    await client.call({
      operation: 'webhook.set',
      method: 'post',
      path: `webhook/set/${segment(input.instance)}`,
      json: evolutionWebhookSetBody(input),
      schema: webhookSetResponseSchema,
      ...(input.signal ? { signal: input.signal } : {}),
    }),
    { operation: 'webhook.set', instance: input.instance, now: clock.now(), secrets: [input.secret] },
  );
  return { url: answer.url ?? input.url, events: answer.events ?? [...evolutionWebhookEvents], enabled: answer.enabled ?? true };
}
