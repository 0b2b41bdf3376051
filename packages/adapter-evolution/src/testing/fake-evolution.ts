/**
 * `createFakeEvolution`: a small, stateful, in-memory Evolution API v2 speaking HTTP through the
 * Fetch API (`handle(request) ⇒ response`). Mount it in msw (`http.all(`${baseUrl}/*`, ({ request })
 * => fake.handle(request))`), behind `node:http` for a bench, or pass `fake.fetch` as the adapter's
 * `fetch`. It validates request bodies with the package's schemas like Evolution validates them,
 * answers with Evolution's shapes and statuses, keeps the messages it "sent" (its message store,
 * which can be switched off), logs every request for side-door checks, and injects faults: any
 * status, a network failure, or a send that is accepted and then never answered.
 */
import { randomBytes } from 'node:crypto';
import { PhoneNumber, systemClock, type Clock } from '@sdr/core';
import type { z } from 'zod';
import {
  findMessagesRequestSchema,
  getBase64FromMediaMessageRequestSchema,
  sendMediaRequestSchema,
  sendTextRequestSchema,
  webhookSetRequestSchema,
  whatsappNumbersRequestSchema,
  type EvolutionMessage,
  type WebhookSetRequest,
} from '../evolution-api.js';

/** One request the fake received. */
export interface FakeEvolutionRequest {
  readonly method: string;
  /** The path below the base URL (`/message/sendText/acme`). */
  readonly path: string;
  /** The `apikey` header, as sent. */
  readonly apikey: string | null;
  readonly contentType: string | null;
  /** The JSON body (undefined for GET or a body that is not JSON). */
  readonly body: unknown;
}

/** A message the fake accepted for sending. */
export interface FakeEvolutionDelivery {
  readonly instance: string;
  readonly record: EvolutionMessage;
  /** The `number` field of the send (digits or a JID). */
  readonly number: string;
  /** The `delay` field of the send, if any. */
  readonly delay: number | undefined;
}

/** A fault for the next matching request. */
export type FakeEvolutionFault =
  /** Answer this status and body (and headers) instead. */
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly body?: unknown;
      readonly raw?: string;
      readonly headers?: Record<string, string>;
    }
  /** Fail the connection (the client sees a network error). */
  | { readonly kind: 'network' }
  /** Never answer, without carrying the request out (until the client gives up or the fake is reset). */
  | { readonly kind: 'stall' }
  /** Carry the send out, then never answer (until the client gives up or the fake is reset). */
  | { readonly kind: 'accept_then_stall' }
  /** Carry the send out, then answer with a body that is not JSON. */
  | { readonly kind: 'accept_then_garble' };

/** Options of the fake. */
export interface FakeEvolutionOptions {
  /** Where the fake is mounted (default `http://evolution.test`). */
  readonly baseUrl?: string;
  /** The global API key it accepts (default `fake-evolution-key`). */
  readonly apiKey?: string;
  /** Instances that exist, `open` (default `['default']`). */
  readonly instances?: readonly string[];
  /** Stamps messages (default the system clock). */
  readonly clock?: Clock;
}

/** The fake, its state and its controls. */
export interface FakeEvolution {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Answers one request as Evolution would. */
  handle(request: Request): Promise<Response>;
  /** A `fetch` served by the fake alone. */
  readonly fetch: typeof globalThis.fetch;
  /** Every request received, in order. */
  readonly requests: readonly FakeEvolutionRequest[];
  /** Every message accepted for sending, in order (also when the store is off). */
  readonly deliveries: readonly FakeEvolutionDelivery[];
  /** Creates an instance (or sets the state of one). */
  setInstance(name: string, state?: 'open' | 'connecting' | 'close'): void;
  /** Removes an instance: its routes answer 404. */
  removeInstance(name: string): void;
  /** This number has no WhatsApp account. */
  markNotOnWhatsApp(phone: PhoneNumber | string): void;
  /** This Brazilian mobile's account predates the 9th digit: WhatsApp knows it without it. */
  markKnownWithoutNinthDigit(phone: PhoneNumber | string): void;
  /** Switches the message store (DATABASE_SAVE_DATA_NEW_MESSAGE) on or off (default on). */
  setMessageStore(enabled: boolean): void;
  /** Queues a fault for the next request whose operation (`sendText`, `findMessages`, …) matches. */
  failNext(operation: string, fault: FakeEvolutionFault): void;
  /** Media downloadable with `getBase64FromMediaMessage` under a message id. */
  addMedia(messageId: string, media: { readonly data: Uint8Array; readonly mimetype: string; readonly fileName?: string }): void;
  /** The webhook set on an instance, if any. */
  webhook(instance: string): WebhookSetRequest['webhook'] | undefined;
  /** Forgets everything but the options; releases stalled requests. */
  reset(): void;
}

const defaultBaseUrl = 'http://evolution.test';

/** Creates a fake Evolution server. */
export function createFakeEvolution(options: FakeEvolutionOptions = {}): FakeEvolution {
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, '');
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const apiKey = options.apiKey ?? 'fake-evolution-key';
  const clock = options.clock ?? systemClock;
  const initialInstances = options.instances ?? ['default'];

  const instances = new Map<string, { state: 'open' | 'connecting' | 'close'; webhook?: WebhookSetRequest['webhook'] }>();
  const notOnWhatsApp = new Set<string>();
  const withoutNinthDigit = new Set<string>();
  const media = new Map<string, { data: Uint8Array; mimetype: string; fileName?: string }>();
  const faults = new Map<string, FakeEvolutionFault[]>();
  const requests: FakeEvolutionRequest[] = [];
  const deliveries: FakeEvolutionDelivery[] = [];
  const store: { instance: string; record: EvolutionMessage }[] = [];
  const stalled = new Set<() => void>();
  let storeEnabled = true;

  const init = () => {
    instances.clear();
    for (const name of initialInstances) instances.set(name, { state: 'open' });
  };
  init();

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const evolutionError = (status: number, error: string, message: unknown) => json(status, { status, error, response: { message } });
  const badRequest = (issues: z.core.$ZodIssue[]) =>
    evolutionError(
      400,
      'Bad Request',
      issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`),
    );

  /** The JID WhatsApp knows for a number, or undefined when it has no account. */
  const whatsappJid = (number: string): string | undefined => {
    const digits = number.includes('@') ? number.slice(0, number.indexOf('@')) : number.replace(/\D/g, '');
    if (number.endsWith('@lid')) return number;
    const phone = PhoneNumber.tryParse(`+${digits}`);
    if (!phone || notOnWhatsApp.has(phone.e164)) return undefined;
    const known = withoutNinthDigit.has(phone.e164) ? (phone.variants()[1] ?? phone.e164) : phone.e164;
    return `${known.slice(1)}@s.whatsapp.net`;
  };

  const accept = (instance: string, number: string, message: Record<string, unknown>, messageType: string, delay: number | undefined) => {
    const jid = whatsappJid(number);
    if (jid === undefined) return undefined;
    const record: EvolutionMessage = {
      key: { id: `BAE5${randomBytes(6).toString('hex').toUpperCase()}`, remoteJid: jid, fromMe: true },
      pushName: '',
      status: 'PENDING',
      message,
      messageType,
      messageTimestamp: Math.floor(clock.now().getTime() / 1000),
      instanceId: `instance-${instance}`,
      source: 'unknown',
    };
    deliveries.push({ instance, record, number, delay });
    if (storeEnabled) store.push({ instance, record });
    return record;
  };

  const stall = (request: Request) =>
    new Promise<void>((release) => {
      stalled.add(release);
      request.signal.addEventListener('abort', () => release(), { once: true });
    });

  const send = async (
    instance: string,
    fault: FakeEvolutionFault | undefined,
    request: Request,
    build: () => Response | EvolutionMessage,
  ) => {
    if (instances.get(instance)?.state !== 'open') return evolutionError(500, 'Internal Server Error', ['Connection Closed']);
    const outcome = build();
    if (outcome instanceof Response) return outcome;
    if (fault?.kind === 'accept_then_stall') {
      await stall(request);
      return json(201, outcome);
    }
    if (fault?.kind === 'accept_then_garble') return new Response('<html>502 Bad Gateway</html>', { status: 201 });
    return json(201, outcome);
  };

  const routes: Record<
    string,
    (instance: string, body: unknown, fault: FakeEvolutionFault | undefined, request: Request) => Promise<Response> | Response
  > = {
    'GET instance/connectionState': (instance) =>
      json(200, { instance: { instanceName: instance, state: instances.get(instance)?.state } }),
    'POST chat/whatsappNumbers': (_instance, body) => {
      const parsed = whatsappNumbersRequestSchema.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      return json(
        200,
        parsed.data.numbers.map((number) => {
          const jid = whatsappJid(number);
          return jid === undefined
            ? { exists: false, jid: `${number.replace(/\D/g, '')}@s.whatsapp.net`, number }
            : { exists: true, jid, number };
        }),
      );
    },
    'POST message/sendText': (instance, body, fault, request) =>
      send(instance, fault, request, () => {
        const parsed = sendTextRequestSchema.safeParse(body);
        if (!parsed.success) return badRequest(parsed.error.issues);
        const { number, text, delay } = parsed.data;
        const record = accept(instance, number, { conversation: text }, 'conversation', delay);
        return record ?? evolutionError(400, 'Bad Request', [{ jid: `${number}@s.whatsapp.net`, exists: false, number }]);
      }),
    'POST message/sendMedia': (instance, body, fault, request) =>
      send(instance, fault, request, () => {
        const parsed = sendMediaRequestSchema.safeParse(body);
        if (!parsed.success) return badRequest(parsed.error.issues);
        const { number, mediatype, mimetype, caption, fileName, delay } = parsed.data;
        const content = { mimetype, ...(caption === undefined ? {} : { caption }), ...(fileName === undefined ? {} : { fileName }) };
        const record = accept(instance, number, { [`${mediatype}Message`]: content }, `${mediatype}Message`, delay);
        return record ?? evolutionError(400, 'Bad Request', [{ jid: `${number}@s.whatsapp.net`, exists: false, number }]);
      }),
    'POST chat/findMessages': (instance, body) => {
      const parsed = findMessagesRequestSchema.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      const { where } = parsed.data;
      const gte = where.messageTimestamp ? Math.floor(Date.parse(where.messageTimestamp.gte) / 1000) : -Infinity;
      const lte = where.messageTimestamp ? Math.floor(Date.parse(where.messageTimestamp.lte) / 1000) : Infinity;
      const matching = store
        .filter((entry) => entry.instance === instance)
        .map((entry) => entry.record)
        .filter(
          (record) =>
            (where.key.id === undefined || record.key.id === where.key.id) &&
            (where.key.remoteJid === undefined || record.key.remoteJid === where.key.remoteJid) &&
            (where.key.fromMe === undefined || record.key.fromMe === where.key.fromMe) &&
            (record.messageTimestamp ?? 0) >= gte &&
            (record.messageTimestamp ?? 0) <= lte,
        )
        .reverse();
      const pageSize = parsed.data.offset ?? 50;
      const page = parsed.data.page ?? 1;
      return json(200, {
        messages: {
          total: matching.length,
          pages: Math.ceil(matching.length / pageSize),
          currentPage: page,
          records: matching.slice((page - 1) * pageSize, page * pageSize),
        },
      });
    },
    'POST chat/getBase64FromMediaMessage': (_instance, body) => {
      const parsed = getBase64FromMediaMessageRequestSchema.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      const found = media.get(parsed.data.message.key.id);
      if (!found) return evolutionError(400, 'Bad Request', ['Error: Message not found']);
      return json(201, {
        mediaType: found.mimetype.split('/')[0],
        fileName: found.fileName ?? null,
        caption: null,
        size: { fileLength: found.data.byteLength },
        mimetype: found.mimetype,
        base64: Buffer.from(found.data).toString('base64'),
      });
    },
    'POST webhook/set': (instance, body) => {
      const parsed = webhookSetRequestSchema.safeParse(body);
      if (!parsed.success) return badRequest(parsed.error.issues);
      const entry = instances.get(instance);
      if (entry) entry.webhook = parsed.data.webhook;
      const { webhook } = parsed.data;
      return json(201, {
        id: `webhook-${instance}`,
        url: webhook.url,
        headers: webhook.headers ?? null,
        enabled: webhook.enabled,
        events: webhook.enabled ? webhook.events : [],
        webhookByEvents: webhook.byEvents,
        webhookBase64: webhook.base64,
        instanceId: `instance-${instance}`,
      });
    },
  };

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.slice(basePath.length);
    const text = request.method === 'GET' ? '' : await request.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    requests.push({
      method: request.method,
      path,
      apikey: request.headers.get('apikey'),
      contentType: request.headers.get('content-type'),
      body,
    });
    const match = /^\/([^/]+\/[^/]+)\/([^/]+)$/.exec(path);
    const route = match ? routes[`${request.method} ${match[1] ?? ''}`] : undefined;
    if (!match || !route) return evolutionError(404, 'Not Found', [`Cannot ${request.method} ${path}`]);
    const operation = match[1]?.split('/')[1] ?? '';
    const fault = faults.get(operation)?.shift();
    if (fault?.kind === 'network') return Response.error();
    if (fault?.kind === 'stall') {
      await stall(request);
      return Response.error();
    }
    if (fault?.kind === 'respond') {
      if (fault.raw !== undefined) return new Response(fault.raw, { status: fault.status, headers: fault.headers ?? {} });
      return json(fault.status, fault.body ?? {}, fault.headers);
    }
    if (request.headers.get('apikey') !== apiKey) return evolutionError(401, 'Unauthorized', 'Unauthorized');
    const instance = decodeURIComponent(match[2] ?? '');
    if (!instances.has(instance)) return evolutionError(404, 'Not Found', [`The "${instance}" instance does not exist`]);
    return await route(instance, body, fault, request);
  };

  const toPhone = (phone: PhoneNumber | string) => (typeof phone === 'string' ? PhoneNumber.parse(phone) : phone);

  return {
    baseUrl,
    apiKey,
    handle,
    fetch: async (input, init) => {
      const response = await handle(new Request(input, init));
      if (response.type === 'error')
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return response;
    },
    get requests() {
      return [...requests];
    },
    get deliveries() {
      return [...deliveries];
    },
    setInstance: (name, state = 'open') => {
      const entry = instances.get(name);
      if (entry) entry.state = state;
      else instances.set(name, { state });
    },
    removeInstance: (name) => {
      instances.delete(name);
    },
    markNotOnWhatsApp: (phone) => {
      notOnWhatsApp.add(toPhone(phone).e164);
    },
    markKnownWithoutNinthDigit: (phone) => {
      withoutNinthDigit.add(toPhone(phone).e164);
    },
    setMessageStore: (enabled) => {
      storeEnabled = enabled;
    },
    failNext: (operation, fault) => {
      const queue = faults.get(operation) ?? [];
      queue.push(fault);
      faults.set(operation, queue);
    },
    addMedia: (messageId, entry) => {
      media.set(messageId, { ...entry });
    },
    webhook: (instance) => instances.get(instance)?.webhook,
    reset: () => {
      init();
      notOnWhatsApp.clear();
      withoutNinthDigit.clear();
      media.clear();
      faults.clear();
      requests.length = 0;
      deliveries.length = 0;
      store.length = 0;
      storeEnabled = true;
      for (const release of stalled) release();
      stalled.clear();
    },
  };
}
