/**
 * A bot an app brings to the server: it receives the server's `message.received` webhooks,
 * verifies their Standard Webhooks signature, handles each delivery once (the server delivers at
 * least once, with the same `webhook-id` on every retry) and answers the lead through the REST API.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** What the server POSTs: `{ type, id, timestamp, tenantId, data }`. */
export interface WebhookEvent {
  readonly type: string;
  readonly id: string;
  readonly timestamp: string;
  readonly tenantId: string;
  readonly data: Record<string, unknown>;
}

/** A message a lead wrote, as the `message.received` event carries it. */
export interface ReceivedMessage {
  readonly leadId: string;
  readonly messageId: string;
  readonly phone: string | null;
  readonly body: string;
}

/** How the bot is set up. */
export interface BotOptions {
  /** The endpoint's signing secret (`whsec_…`), shown once when the endpoint was created. */
  readonly secret: string;
  /** The server's base URL, e.g. `https://sdr.example.com`. */
  readonly apiUrl: string;
  /** The tenant's API key. */
  readonly apiKey: string;
  /** The answer to a message; `null` to stay silent. */
  readonly answer: (message: ReceivedMessage) => string | null | Promise<string | null>;
  /** How many delivery ids to remember for deduplication (the oldest are forgotten first). */
  readonly rememberIds?: number;
}

/** One answer the bot recorded. */
export interface Answered {
  readonly webhookId: string;
  readonly leadId: string;
  readonly body: string;
}

/** The bot: the request listener to mount (`http.createServer(bot.listener)`), and what it has answered so far. */
export interface Bot {
  readonly listener: RequestListener;
  readonly answered: readonly Answered[];
}

const maxBodyBytes = 256 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new Error(`the request body is larger than ${String(maxBodyBytes)} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headerOf(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return typeof value === 'string' ? value : '';
}

/** The message of a `message.received` event, or `null` when its data is not what the bot needs. */
function receivedMessageOf(event: WebhookEvent): ReceivedMessage | null {
  const { leadId, messageId, phone, body } = event.data;
  if (typeof leadId !== 'string' || typeof messageId !== 'string' || typeof body !== 'string') return null;
  return { leadId, messageId, phone: typeof phone === 'string' ? phone : null, body };
}

/** Creates the bot. */
export function createBot(options: BotOptions): Bot {
  const verifier = new Webhook(options.secret);
  const rememberIds = options.rememberIds ?? 10_000;
  // Delivery ids handled, in insertion order: a retry of one of them is acknowledged, not handled again.
  const handled = new Set<string>();
  // Deliveries being handled now: a retry arriving meanwhile waits for the first one's outcome.
  const inFlight = new Map<string, Promise<void>>();
  const answered: Answered[] = [];

  const sendAnswer = async (webhookId: string, message: ReceivedMessage): Promise<void> => {
    const text = await options.answer(message);
    if (text === null) return;
    // Recorded as the business's outbound message; the provider message id makes a repeat a no-op on the server too.
    const response = await fetch(`${options.apiUrl}/v1/leads/${encodeURIComponent(message.leadId)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ direction: 'outbound', body: text, providerMessageId: `bot-${webhookId}` }),
    });
    if (!response.ok) throw new Error(`the server answered ${String(response.status)} to the answer: ${await response.text()}`);
    answered.push({ webhookId, leadId: message.leadId, body: text });
  };

  const handle = async (webhookId: string, event: WebhookEvent): Promise<void> => {
    if (event.type !== 'message.received') return;
    const message = receivedMessageOf(event);
    if (message === null) throw new Error(`message.received ${webhookId} lacks leadId, messageId or body`);
    await sendAnswer(webhookId, message);
  };

  const listener: RequestListener = (request, response) => {
    void (async () => {
      if (request.method !== 'POST') {
        response.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const body = await readBody(request);
      const headers = {
        'webhook-id': headerOf(request, 'webhook-id'),
        'webhook-timestamp': headerOf(request, 'webhook-timestamp'),
        'webhook-signature': headerOf(request, 'webhook-signature'),
      };
      let event: WebhookEvent;
      try {
        event = verifier.verify(body, headers) as WebhookEvent;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        response.writeHead(401, { 'content-type': 'text/plain' }).end(`signature refused: ${error.message}`);
        return;
      }
      const webhookId = headers['webhook-id'];
      if (!handled.has(webhookId)) {
        let running = inFlight.get(webhookId);
        if (running === undefined) {
          running = handle(webhookId, event).finally(() => inFlight.delete(webhookId));
          inFlight.set(webhookId, running);
        }
        await running;
        handled.add(webhookId);
        if (handled.size > rememberIds) handled.delete(handled.values().next().value ?? '');
      }
      response.writeHead(204).end();
    })().catch((error: unknown) => {
      // Anything but a 2xx makes the server retry the delivery later with the same webhook-id.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'failed');
    });
  };
  return { listener, answered };
}
