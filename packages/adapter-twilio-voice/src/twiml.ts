/**
 * TwiML, the XML answers to Twilio's voice webhooks, built from typed input. Every attribute
 * value and text is XML-escaped, and the socket URLs are refused with a query string: Twilio
 * drops it, so values travel as `<Parameter>` elements (they arrive in `setup.customParameters`
 * or `start.customParameters`).
 */

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML attribute value or element content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

function element(name: string, attributes: Attributes, children?: string): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

function response(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function parameters(values: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(values ?? {})
    .map(([name, value]) => element('Parameter', { name, value }))
    .join('');
}

function socketUrl(url: string, field: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') throw new Error(`${field}: must be a ws:// or wss:// URL`);
  if (parsed.search !== '' || url.includes('?')) throw new Error(`${field}: must carry no query string (use parameters)`);
  return url;
}

/** `<Connect><ConversationRelay>`: Twilio does speech-to-text and text-to-speech; the socket gets text. */
export interface ConversationRelayTwimlInput {
  /** The session's WebSocket (`wss://…`, no query string). */
  readonly url: string;
  /** Where Twilio asks what to do once the session ends (the handoff). */
  readonly action: string;
  /** BCP 47 language of speech in and out. */
  readonly language?: string | undefined;
  /** The text-to-speech voice. */
  readonly voice?: string | undefined;
  readonly ttsProvider?: string | undefined;
  readonly transcriptionProvider?: string | undefined;
  /** Whether and how the caller may interrupt the agent (default: Twilio's). */
  readonly interruptible?: 'none' | 'dtmf' | 'speech' | 'any' | undefined;
  /** Send keypad digits to the socket as `dtmf` messages. */
  readonly dtmfDetection?: boolean | undefined;
  /** Values for the session (`setup.customParameters`). */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The answer to an incoming call in ConversationRelay mode. */
export function conversationRelayTwiml(input: ConversationRelayTwimlInput): string {
  const relay = element(
    'ConversationRelay',
    {
      url: socketUrl(input.url, 'url'),
      language: input.language,
      voice: input.voice,
      ttsProvider: input.ttsProvider,
      transcriptionProvider: input.transcriptionProvider,
      interruptible: input.interruptible,
      dtmfDetection: input.dtmfDetection,
    },
    parameters(input.parameters),
  );
  return response(element('Connect', { action: input.action }, relay));
}

/** `<Connect><Stream>`: a bidirectional Media Streams socket (μ-law 8 kHz both ways). */
export interface MediaStreamTwimlInput {
  /** The stream's WebSocket (`wss://…`, no query string). */
  readonly url: string;
  /** Where Twilio continues once the server closes the socket. */
  readonly action: string;
  /** Values for the session (`start.customParameters`). */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The answer to an incoming call in Media Streams mode. */
export function mediaStreamTwiml(input: MediaStreamTwimlInput): string {
  const stream = element('Stream', { url: socketUrl(input.url, 'url') }, parameters(input.parameters));
  return response(element('Connect', { action: input.action }, stream));
}

/** `<Dial>` a person. */
export interface DialTwimlInput {
  /** E.164 number to ring. */
  readonly number: string;
  /** Said before ringing. */
  readonly say?: string | undefined;
  readonly language?: string | undefined;
  /** Seconds to ring before giving up. */
  readonly timeout?: number | undefined;
  /** The caller id shown to the person (default: the caller's). */
  readonly callerId?: string | undefined;
}

/** Transfers the call to a person. */
export function dialTwiml(input: DialTwimlInput): string {
  const say = input.say === undefined ? '' : element('Say', { language: input.language }, escapeXml(input.say));
  const dial = element('Dial', { answerOnBridge: true, timeout: input.timeout, callerId: input.callerId }, escapeXml(input.number));
  return response(say + dial);
}

/** Ends the call, optionally saying something first. */
export function hangupTwiml(input: { readonly say?: string | undefined; readonly language?: string | undefined } = {}): string {
  const say = input.say === undefined ? '' : element('Say', { language: input.language }, escapeXml(input.say));
  return response(say + element('Hangup', {}));
}

/** An empty answer (status callbacks). */
export function emptyTwiml(): string {
  return response('');
}
