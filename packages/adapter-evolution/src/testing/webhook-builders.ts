/**
 * Webhook deliveries as Evolution API v2 sends them, for tests of the code that receives them
 * (the route, the inbox): the envelope with its `apikey`, and the `data` of each event.
 */
import { randomBytes } from 'node:crypto';

/** Common envelope fields. */
export interface EnvelopeOptions {
  readonly instance?: string;
  /** The instance token Evolution puts in every delivery (default a fixed test value). */
  readonly apikey?: string;
  readonly dateTime?: Date;
}

function envelope(event: string, data: unknown, options: EnvelopeOptions): Record<string, unknown> {
  return {
    event,
    instance: options.instance ?? 'default',
    data,
    destination: 'https://sdr.example.com/webhooks/evolution/tenant',
    date_time: (options.dateTime ?? new Date('2026-03-02T13:00:00.000Z')).toISOString(),
    sender: '5511900000000@s.whatsapp.net',
    server_url: 'http://evolution.test',
    apikey: options.apikey ?? 'instance-token-0000',
  };
}

/** A `messages.upsert` delivery. */
export function buildMessagesUpsert(
  input: EnvelopeOptions & {
    /** The chat: the lead's JID (`5511987654321@s.whatsapp.net`, or `…@lid`). */
    readonly remoteJid: string;
    readonly remoteJidAlt?: string;
    readonly senderPn?: string;
    readonly fromMe?: boolean;
    readonly id?: string;
    readonly pushName?: string;
    /** The `message` object (default `{ conversation: text }`). */
    readonly message?: Record<string, unknown>;
    readonly text?: string;
    readonly messageType?: string;
    /** Seconds since the epoch (default 2026-03-02T13:00:00Z). */
    readonly messageTimestamp?: number;
  },
): Record<string, unknown> {
  const message = input.message ?? { conversation: input.text ?? 'Oi!' };
  return envelope(
    'messages.upsert',
    {
      key: {
        remoteJid: input.remoteJid,
        fromMe: input.fromMe ?? false,
        id: input.id ?? `3EB0${randomBytes(8).toString('hex').toUpperCase()}`,
        ...(input.remoteJidAlt === undefined ? {} : { remoteJidAlt: input.remoteJidAlt }),
        ...(input.senderPn === undefined ? {} : { senderPn: input.senderPn }),
      },
      pushName: input.pushName ?? 'Ana Souza',
      status: 'DELIVERY_ACK',
      message,
      messageType: input.messageType ?? Object.keys(message).find((name) => name !== 'base64') ?? 'conversation',
      messageTimestamp: input.messageTimestamp ?? 1_772_456_400,
      instanceId: 'instance-default',
      source: 'android',
    },
    input,
  );
}

/** A `messages.update` delivery. */
export function buildMessagesUpdate(
  input: EnvelopeOptions & {
    readonly keyId: string;
    readonly status: string | number;
    readonly remoteJid?: string;
    readonly fromMe?: boolean;
  },
): Record<string, unknown> {
  return envelope(
    'messages.update',
    {
      messageId: 'cm0000000000000000000000',
      keyId: input.keyId,
      remoteJid: input.remoteJid ?? '5511987654321@s.whatsapp.net',
      fromMe: input.fromMe ?? true,
      participant: null,
      status: input.status,
      instanceId: 'instance-default',
    },
    input,
  );
}

/** A `connection.update` delivery. */
export function buildConnectionUpdate(
  input: EnvelopeOptions & { readonly state: string; readonly statusReason?: number },
): Record<string, unknown> {
  return envelope(
    'connection.update',
    {
      instance: input.instance ?? 'default',
      state: input.state,
      statusReason: input.statusReason ?? 200,
      wuid: '5511900000000@s.whatsapp.net',
    },
    input,
  );
}
