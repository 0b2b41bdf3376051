/**
 * The number check before a first send: `POST /chat/whatsappNumbers/{instance}` asks WhatsApp
 * whether the number has an account and under which id — a Brazilian mobile may be known with or
 * without its 9th digit, and the id WhatsApp answers is the one to send to. Bulk checks raise the
 * risk of a ban, so answers are cached per instance and number: positive ones for long, negative
 * ones briefly (WhatsApp sometimes answers `exists: false` for valid numbers), in a bounded map.
 * Concurrent first sends to one number share one check.
 */
import { ProviderError, RecipientUnreachableError, parseWhatsAppJid, type Clock, type PhoneNumber } from '@sdr/core';
import { whatsappNumbersResponseSchema } from './evolution-api.js';
import { segment, unwrap, type EvolutionClient } from './evolution-client.js';
import { evolutionProvider } from './evolution-errors.js';

/** Where a message to a number goes. */
export interface EvolutionRecipient {
  /** The JID WhatsApp answered (`551187654321@s.whatsapp.net`, or a `…@lid`). */
  readonly jid: string;
  /** What goes in the `number` field of a send: the JID's digits, or the JID itself for a `@lid`. */
  readonly number: string;
}

/** Settings of the number-check cache. */
export interface NumberCheckOptions {
  /** How long a number found on WhatsApp is trusted (default 24 h). */
  readonly positiveTtlMs?: number;
  /** How long a number not found is refused without asking again (default 10 min). */
  readonly negativeTtlMs?: number;
  /** Numbers remembered at most; the least recently used go first (default 10 000). */
  readonly maxEntries?: number;
}

type Entry = { readonly recipient: EvolutionRecipient | null; readonly expiresAt: number };

/** The cache and its checks, for one instance. */
export interface NumberDirectory {
  /** The recipient of `phone`, checked once; throws `RecipientUnreachableError` when not on WhatsApp. */
  resolve(phone: PhoneNumber, signal?: AbortSignal): Promise<EvolutionRecipient>;
  /** Records that a send was refused with `exists: false` (the check was stale). */
  markUnreachable(phone: PhoneNumber): void;
}

export function createNumberDirectory(input: {
  readonly client: EvolutionClient;
  readonly instance: string;
  readonly clock: Clock;
  readonly options?: NumberCheckOptions;
  /** Runs before each request to WhatsApp (pacing). */
  readonly beforeRequest: (signal: AbortSignal | undefined) => Promise<void>;
}): NumberDirectory {
  const { client, instance, clock } = input;
  const positiveTtlMs = input.options?.positiveTtlMs ?? 24 * 3_600_000;
  const negativeTtlMs = input.options?.negativeTtlMs ?? 10 * 60_000;
  const maxEntries = input.options?.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<EvolutionRecipient | null>>();

  const remember = (phone: PhoneNumber, recipient: EvolutionRecipient | null) => {
    entries.delete(phone.e164);
    entries.set(phone.e164, { recipient, expiresAt: clock.now().getTime() + (recipient ? positiveTtlMs : negativeTtlMs) });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  const check = async (phone: PhoneNumber, signal: AbortSignal | undefined): Promise<EvolutionRecipient | null> => {
    await input.beforeRequest(signal);
    const context = { operation: 'whatsappNumbers', instance, now: clock.now(), secrets: [phone.digits] };
    const answer = unwrap(
      await client.call({
        operation: 'whatsappNumbers',
        method: 'post',
        path: `chat/whatsappNumbers/${segment(instance)}`,
        json: { numbers: [phone.digits] },
        schema: whatsappNumbersResponseSchema,
        signal,
      }),
      context,
    );
    if (answer.length === 0) {
      throw new ProviderError({
        provider: evolutionProvider,
        operation: 'whatsappNumbers',
        message: 'answered no entry for the number',
        retryable: true,
      });
    }
    const found = answer.find((entry) => entry.exists && entry.jid);
    if (!found?.jid) return null;
    return toRecipient(found.jid, phone);
  };

  return {
    async resolve(phone, signal) {
      const cached = entries.get(phone.e164);
      let recipient: EvolutionRecipient | null;
      if (cached !== undefined && cached.expiresAt > clock.now().getTime()) {
        // Touch: most recently used last.
        entries.delete(phone.e164);
        entries.set(phone.e164, cached);
        recipient = cached.recipient;
      } else {
        let pending = inFlight.get(phone.e164);
        if (pending === undefined) {
          pending = check(phone, signal).then((result) => {
            remember(phone, result);
            return result;
          });
          const cleanup = () => inFlight.delete(phone.e164);
          pending.then(cleanup, cleanup);
          inFlight.set(phone.e164, pending);
        }
        recipient = await pending;
      }
      if (recipient === null) {
        throw new RecipientUnreachableError({
          channel: 'whatsapp',
          provider: evolutionProvider,
          message: 'the recipient is not on WhatsApp (Evolution whatsappNumbers answered exists: false)',
          details: { instance },
        });
      }
      return recipient;
    },
    markUnreachable(phone) {
      remember(phone, null);
    },
  };
}

/** The recipient of a JID WhatsApp answered for `phone`; it must be that number (or an opaque `@lid`). */
function toRecipient(jid: string, phone: PhoneNumber): EvolutionRecipient {
  let address;
  try {
    address = parseWhatsAppJid(jid, 'whatsappNumbers.jid');
  } catch {
    throw new ProviderError({
      provider: evolutionProvider,
      operation: 'whatsappNumbers',
      message: 'answered an id that is not a WhatsApp id',
      retryable: false,
    });
  }
  if (address.kind === 'lid') return { jid: address.jid, number: address.jid };
  if (address.kind === 'phone' && address.phone.equals(phone)) {
    return { jid: address.jid, number: address.jid.slice(0, address.jid.indexOf('@')) };
  }
  throw new ProviderError({
    provider: evolutionProvider,
    operation: 'whatsappNumbers',
    message: 'answered the id of another number than the one asked',
    retryable: false,
  });
}
