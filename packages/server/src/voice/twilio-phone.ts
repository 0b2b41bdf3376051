/**
 * A phone that plays Twilio's side of a ConversationRelay call against this server, over the
 * real HTTP webhooks and the real WebSocket, every request signed with the tenant's Auth Token
 * exactly as Twilio signs it: the `voice` webhook, the socket handshake, then `setup`, `prompt`s,
 * `interrupt`s and `dtmf`s, and the `action` webhook once the server ends the session. `sdr call`
 * is a terminal around it; the end-to-end tests drive it too.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { computeTwilioSignature, twilioSignatureHeader } from '@sdr/adapter-twilio-voice';
import { WebSocket } from 'ws';

/** Where and as whom to call. */
export interface TwilioPhoneOptions {
  /** Where the server listens (`http://127.0.0.1:3000`): requests go there. */
  readonly serverUrl: string;
  /** The tenant's configured public base URL: signatures are computed over it, as Twilio does. */
  readonly publicBaseUrl: string;
  readonly authToken: string;
  readonly tenantId: string;
  /** The caller's number (E.164). */
  readonly from: string;
  /** The number called (default `+15005550006`). */
  readonly to?: string;
  /** Told of every token of the agent's replies, as it arrives. */
  readonly onToken?: (token: string, last: boolean) => void;
}

/** A frame the server sent on the socket. */
export interface RelayFrame {
  readonly type: string;
  readonly token?: string;
  readonly last?: boolean;
  readonly handoffData?: string;
}

/** A call in progress. */
export interface TwilioPhone {
  readonly callSid: string;
  /** The TwiML that answered the call. */
  readonly answer: string;
  /** The greeting spoken when the call connected. */
  readonly greeting: string;
  /** Every frame received, in order. */
  readonly frames: readonly RelayFrame[];
  /** Says a final utterance; resolves with the whole reply once its `last` token arrives. */
  say(text: string): Promise<string>;
  /** Says an utterance without waiting for the reply. */
  prompt(text: string): void;
  /** Waits until `check` holds for the frames received. */
  until(check: (frames: readonly RelayFrame[]) => boolean, timeoutMs?: number): Promise<void>;
  /** The caller cut in after hearing `heard`. */
  interrupt(heard: string, durationMs?: number): void;
  /** A keypad digit. */
  press(digit: string): void;
  /** Resolves with the session's `end` frame, once the server sends it. */
  readonly ended: Promise<RelayFrame>;
  /** Hangs up (closes the socket); resolves once it is closed. */
  hangUp(): Promise<void>;
  /** Plays Twilio's call to the `action` URL after the session; resolves with the TwiML answered. */
  action(input?: { readonly sessionStatus?: string; readonly handoffData?: string }): Promise<string>;
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_all, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '',
  );
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : unescapeXml(match[1]);
}

/** Posts a form to a webhook, signed as Twilio signs it. */
async function postSigned(options: TwilioPhoneOptions, path: string, params: Record<string, string>): Promise<string> {
  const signature = computeTwilioSignature(options.authToken, `${options.publicBaseUrl}${path}`, params);
  const response = await fetch(`${options.serverUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', [twilioSignatureHeader]: signature },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: the server answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Calls the tenant: the `voice` webhook, the socket, `setup`; resolves once the greeting was spoken. */
export async function dialTwilioPhone(options: TwilioPhoneOptions): Promise<TwilioPhone> {
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const base = `/webhooks/twilio/${encodeURIComponent(options.tenantId)}`;
  const to = options.to ?? '+15005550006';
  const common = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: callSid, From: options.from, To: to, Direction: 'inbound' };
  const answer = await postSigned(options, `${base}/voice`, { ...common, CallStatus: 'ringing' });
  const relayTag = /<ConversationRelay\b[^>]*>/.exec(answer)?.[0];
  const relayUrl = relayTag === undefined ? undefined : attribute(relayTag, 'url');
  if (relayUrl === undefined) throw new Error('the call was not answered with a ConversationRelay (is the tenant in media_streams mode?)');
  const customParameters = Object.fromEntries(
    [...answer.matchAll(/<Parameter\b[^>]*\/>/g)].map((match) => [attribute(match[0], 'name') ?? '', attribute(match[0], 'value') ?? '']),
  );
  const publicSocket = new URL(relayUrl);
  const server = new URL(options.serverUrl);
  const connectTo = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}${publicSocket.pathname}`;
  const socket = new WebSocket(connectTo, { headers: { [twilioSignatureHeader]: computeTwilioSignature(options.authToken, relayUrl) } });
  const frames: RelayFrame[] = [];
  const waiters = new Set<() => void>();
  let endFrame: (frame: RelayFrame) => void = () => undefined;
  const ended = new Promise<RelayFrame>((resolve) => (endFrame = resolve));
  socket.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as RelayFrame;
    frames.push(frame);
    if (frame.type === 'text') options.onToken?.(frame.token ?? '', frame.last === true);
    if (frame.type === 'end') endFrame(frame);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    for (const wake of [...waiters]) wake();
  });
  const unexpected = new Promise<never>((_resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => reject(new Error(`the socket was refused: ${response.statusCode ?? 0}`)));
  });
  await Promise.race([once(socket, 'open'), unexpected]);
  let isClosed = false;
  void closed.then(() => (isClosed = true));

  const until = (check: (all: readonly RelayFrame[]) => boolean, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`no such frames within ${timeoutMs} ms (${frames.length} received)`));
      }, timeoutMs);
      const test = () => {
        if (!check(frames) && !isClosed) return;
        clearTimeout(timer);
        waiters.delete(test);
        if (check(frames)) resolve();
        else reject(new Error('the call ended'));
      };
      waiters.add(test);
      test();
    });
  const send = (frame: object) => socket.send(JSON.stringify(frame));
  const replyAfter = async (from: number): Promise<string> => {
    await until((all) => all.slice(from).some((frame) => frame.type === 'text' && frame.last === true));
    const mine = frames.slice(from);
    const lastAt = mine.findIndex((frame) => frame.type === 'text' && frame.last === true);
    return mine
      .slice(0, lastAt + 1)
      .map((frame) => frame.token ?? '')
      .join('');
  };

  send({
    type: 'setup',
    sessionId: `VX${randomBytes(16).toString('hex')}`,
    callSid,
    from: options.from,
    to,
    direction: 'inbound',
    customParameters,
  });
  const greeting = await replyAfter(0);

  return {
    callSid,
    answer,
    greeting,
    frames,
    async say(text) {
      const from = frames.length;
      send({ type: 'prompt', voicePrompt: text, lang: 'pt-BR', last: true });
      return replyAfter(from);
    },
    prompt(text) {
      send({ type: 'prompt', voicePrompt: text, lang: 'pt-BR', last: true });
    },
    until,
    interrupt(heard, durationMs = 1000) {
      send({ type: 'interrupt', utteranceUntilInterrupt: heard, durationUntilInterruptMs: String(durationMs) });
    },
    press(digit) {
      send({ type: 'dtmf', digit });
    },
    ended,
    async hangUp() {
      if (!isClosed) socket.close(1000);
      await closed;
    },
    async action(input = {}) {
      const handoffData = input.handoffData ?? (await Promise.race([ended, Promise.resolve(null)]))?.handoffData;
      return postSigned(options, `${base}/action`, {
        ...common,
        CallStatus: 'in-progress',
        SessionStatus: input.sessionStatus ?? (handoffData === undefined ? 'completed' : 'ended'),
        ...(handoffData === undefined ? {} : { HandoffData: handoffData }),
      });
    },
  };
}
