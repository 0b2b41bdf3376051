/**
 * Twilio's voice webhooks and sockets for a tenant, under `/webhooks/twilio/{tenantId}/…`:
 * - `POST voice`: an incoming call ⇒ TwiML connecting it to the session socket of the tenant's mode;
 * - `POST status`: call status callbacks (logged; a finished call is forgotten);
 * - `POST action`: the session ended ⇒ `<Dial>` the tenant's person on a handoff, else `<Hangup/>`
 *   (a Media Streams session sends no handoff data: the caller's lead waiting for a person says it);
 * - `GET relay` / `GET stream/{CallSid}` upgraded to WebSocket: the ConversationRelay or Media Streams session.
 *
 * Every request and every handshake must carry a valid `X-Twilio-Signature` computed over the
 * tenant's configured public base URL; anything else is answered 403 and nothing is read or
 * recorded. A tenant without a voice integration (or an unknown one) is answered 404.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  runConversationRelaySession,
  emptyTwiml,
  twilioSignatureHeader,
  type VoicePort,
  type TwilioParams,
} from '@sdr/adapter-twilio-voice';
import { maskPhone, PhoneNumber, type Clock, type Logger, type Store, type Tenant } from '@sdr/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { problem, problemContentType } from '../http/problem.js';
import type { CallRegistry } from './call-registry.js';
import { runMediaStreamCall } from './media-stream-call.js';
import type { VoiceCall, VoiceCallInput } from './voice-call.js';

/** Options of `createTwilioVoiceRoutes`. */
export interface TwilioVoiceRoutesOptions {
  /** The tenant's voice port, or `null` when it has no Twilio voice integration. */
  readonly voiceFor: (tenantId: string) => VoicePort | null;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Opens a call's conversation (the lead, the agent's turns). */
  readonly openCall: (input: VoiceCallInput) => Promise<VoiceCall>;
  /** The language of a tenant's calls when its voice settings name none. */
  readonly languageOf: (tenant: Tenant) => string | Promise<string>;
  readonly calls: CallRegistry;
  /** Told when a session ends (tests). */
  readonly onSessionEnd?: (tenantId: string) => void;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hooks = new Set(['voice', 'status', 'action']);
const formContentType = 'application/x-www-form-urlencoded';
const socketPath = /^\/webhooks\/twilio\/([^/?#]+)\/(relay|stream\/([^/?#]+))$/;
const bodyLimit = 64 * 1024;

type HookRequest = FastifyRequest<{ Params: { tenantId: string; hook: string }; Body: string | undefined }>;

/** Form parameters of a body, a repeated name kept as a list. */
function formParams(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const known = params[name];
    params[name] = known === undefined ? value : [...(typeof known === 'string' ? [known] : known), value];
  }
  return params;
}

/** A parameter read defensively: Twilio's casing of some fields varies. */
function param(params: TwilioParams, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = params[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: 403 | 404, detail: string): FastifyReply {
  const body = problem(
    { instance: request.url.split('?')[0] ?? '', requestId: request.id },
    { status, code: status === 403 ? 'forbidden' : 'not_found', detail },
  );
  return reply.code(status).type(problemContentType).send(body);
}

function rejectUpgrade(socket: Duplex, status: 403 | 404): void {
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The routes, as a Fastify plugin registered at the root (they authenticate on their own). */
export function createTwilioVoiceRoutes(options: TwilioVoiceRoutesOptions): FastifyPluginAsync {
  const { voiceFor, logger, calls } = options;
  // A Media Streams session ends by closing its socket, which carries no handoff data: the call
  // was handed off when its caller's lead waits for a person (stored, so any process can tell).
  const mediaStreamHandoff = async (tenantId: string, voice: VoicePort, params: TwilioParams): Promise<string | undefined> => {
    if (voice.config.mode !== 'media_streams') return undefined;
    const phone = PhoneNumber.tryParse(param(params, 'From', 'from', 'Caller') ?? '');
    const lead = phone === undefined ? null : await options.store.leads.findByPhone(tenantId, phone);
    return lead?.automation === 'paused_handoff' ? JSON.stringify({ reason: 'the lead waits for a person' }) : undefined;
  };
  return (app) => {
    // Bodies are kept as text: the signature covers the form parameters, or a JSON body's hash.
    app.addContentTypeParser([formContentType, 'application/json'], { parseAs: 'string' }, (_request, body, done) => {
      done(null, body);
    });

    app.post<{ Params: { tenantId: string; hook: string }; Body: string | undefined }>(
      '/webhooks/twilio/:tenantId/:hook',
      {
        bodyLimit,
        schema: { hide: true },
        preHandler: async (request: HookRequest, reply) => {
          const { tenantId, hook } = request.params;
          const voice = uuid.test(tenantId) && hooks.has(hook) ? voiceFor(tenantId) : null;
          if (voice === null) return refuse(request, reply, 404, 'no voice integration here');
          const raw = request.body ?? '';
          const json = (request.headers['content-type'] ?? '').startsWith('application/json');
          const verdict = voice.verifyWebhook({
            path: request.url,
            signature: request.headers[twilioSignatureHeader],
            ...(json ? { rawBody: raw } : { params: formParams(raw) }),
          });
          if (verdict.ok) return undefined;
          logger.warn({ tenantId, hook, reason: verdict.reason }, 'Twilio webhook refused');
          return refuse(request, reply, 403, 'the request does not carry a valid X-Twilio-Signature for this tenant');
        },
      },
      async (request: HookRequest, reply) => {
        const { tenantId, hook } = request.params;
        const voice = voiceFor(tenantId);
        const params = formParams(request.body ?? '');
        const callSid = param(params, 'CallSid', 'callSid') ?? '';
        reply.type('text/xml; charset=utf-8');
        if (voice === null) return refuse(request, reply, 404, 'no voice integration here');
        if (hook === 'voice') {
          const tenant = await options.store.tenants.get(tenantId);
          if (tenant === null) return refuse(request, reply, 404, 'no voice integration here');
          const from = param(params, 'From', 'from', 'Caller') ?? '';
          calls.remember(callSid, { tenantId, from });
          logger.info({ tenantId, callSid, caller: maskPhone(from) }, 'voice call answered');
          const language = voice.config.language ?? (await options.languageOf(tenant));
          return voice.answerCall({ callSid, language, from });
        }
        if (hook === 'status') {
          const status = param(params, 'CallStatus', 'callStatus') ?? 'unknown';
          if (['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(status)) calls.forget(callSid);
          logger.info({ tenantId, callSid, status: status.slice(0, 20) }, 'voice call status');
          return emptyTwiml();
        }
        const handoffData = param(params, 'HandoffData', 'handoffData') ?? (await mediaStreamHandoff(tenantId, voice, params));
        const sessionStatus = param(params, 'SessionStatus', 'sessionStatus');
        logger.info(
          { tenantId, callSid, sessionStatus: sessionStatus?.slice(0, 20), handoff: handoffData !== undefined },
          'voice session ended',
        );
        return voice.afterSession({ handoffData, sessionStatus });
      },
    );

    const sockets = new WebSocketServer({ noServer: true });
    const sessions = new Set<Promise<unknown>>();

    const runSession = (socket: WebSocket, voice: VoicePort, tenantId: string, callSid: string | null) => {
      const tenantPromise = options.store.tenants.get(tenantId);
      const running: Promise<unknown> =
        callSid === null
          ? runConversationRelaySession({
              socket,
              logger,
              open: async (setup) => {
                const tenant = await tenantPromise;
                if (tenant === null) throw new Error('tenant not found');
                if (setup.from === null || setup.from === '') throw new Error('setup: no caller number');
                return options.openCall({ tenant, from: setup.from, callSid: setup.callSid });
              },
            })
          : runMediaStreamCall(
              { logger, clock: options.clock, calls, openCall: options.openCall },
              { socket, voice, tenant: tenantPromise, callSid },
            );
      const tracked = running
        .catch((error: unknown) => {
          logger.error({ tenantId, error: error instanceof Error ? error.message.slice(0, 300) : 'failed' }, 'voice session failed');
          socket.close(1011, 'session failed');
        })
        .finally(() => {
          sessions.delete(tracked);
          options.onSessionEnd?.(tenantId);
        });
      sessions.add(tracked);
    };

    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = request.url ?? '';
      const match = socketPath.exec(url);
      if (match === null) {
        // Not ours: left to another listener when there is one.
        if (app.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404);
        return;
      }
      const tenantId = decodeURIComponent(match[1] ?? '');
      const streamCall = match[3] === undefined ? null : decodeURIComponent(match[3]);
      const voice = uuid.test(tenantId) ? voiceFor(tenantId) : null;
      const expected = streamCall === null ? 'conversation_relay' : 'media_streams';
      if (voice?.config.mode !== expected) {
        rejectUpgrade(socket, 404);
        return;
      }
      const verdict = voice.verifySocket({ path: url, signature: request.headers[twilioSignatureHeader] });
      if (!verdict.ok) {
        logger.warn({ tenantId, reason: verdict.reason }, 'Twilio socket refused');
        rejectUpgrade(socket, 403);
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => runSession(ws, voice, tenantId, streamCall));
    };
    app.server.on('upgrade', onUpgrade);
    // Before the HTTP server waits for its connections: calls under way are ended (their summary
    // written) and their sockets closed, which the server's close would otherwise wait for.
    app.addHook('preClose', async () => {
      app.server.off('upgrade', onUpgrade);
      for (const client of sockets.clients) client.close(1001, 'server shutting down');
      const closing = setTimeout(() => {
        for (const client of sockets.clients) client.terminate();
      }, 2_000);
      await Promise.all([...sessions]);
      clearTimeout(closing);
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    });
    return Promise.resolve();
  };
}
