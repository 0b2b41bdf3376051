/**
 * The testkit's `MessagingPort` suite over a stateful Evolution: the fake behind msw, on the wire.
 * The side door pairs each idempotency key with the id the send was answered with, and reads the
 * fake's delivery log for that id.
 */
import { PhoneNumber, type SendResult } from '@sdr/core';
import { buildPhoneNumber, runMessagingConformance, type MessagingSubject } from '@sdr/testkit';
import { useFakeEvolution } from './__fixtures__/msw-evolution.js';
import { createEvolutionMessaging } from './evolution-messaging.js';

const fake = useFakeEvolution({ instances: ['sales'] });

interface EvolutionSubject extends MessagingSubject {
  /** The id each idempotency key's sends were answered with. */
  readonly results: Map<string, SendResult[]>;
}

runMessagingConformance<EvolutionSubject>({
  name: 'evolution (stateful fake on msw)',
  create: () => {
    const port = createEvolutionMessaging({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, instance: 'sales', requestTimeoutMs: 2_000 });
    const results = new Map<string, SendResult[]>();
    const record = async (key: string, send: Promise<SendResult>) => {
      const result = await send;
      results.set(key, [...(results.get(key) ?? []), result]);
      return result;
    };
    const unreachableRecipient = buildPhoneNumber();
    fake.markNotOnWhatsApp(unreachableRecipient);
    fake.setInstance('down-instance', 'close');
    return {
      messaging: {
        ...port,
        sendText: (input, options) => record(input.idempotencyKey, port.sendText(input, options)),
        sendMedia: (input, options) => record(input.idempotencyKey, port.sendMedia(input, options)),
      },
      instance: 'sales',
      recipient: PhoneNumber.parse('+5511987654321'),
      unreachableRecipient,
      downInstance: 'down-instance',
      results,
    };
  },
  inspect: {
    deliveries: (subject, idempotencyKey) => {
      const ids = new Set((subject.results.get(idempotencyKey) ?? []).map((result) => result.providerMessageId));
      return Promise.resolve(
        fake.deliveries
          .filter((delivery) => ids.has(delivery.record.key.id))
          .map((delivery) => ({ to: PhoneNumber.parse(`+${delivery.record.key.remoteJid.split('@')[0] ?? ''}`).e164 })),
      );
    },
  },
});
