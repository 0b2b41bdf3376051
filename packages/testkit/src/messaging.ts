/**
 * `runMessagingConformance`: proves a `MessagingPort` returns the provider's message id, honours
 * idempotency keys when it claims to, reports health, and gates media on its capability
 * (packages/core/src/ports/messaging/messaging-port.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  RecipientUnreachableError,
  ValidationError,
  channels,
  type MessagingCapabilities,
  type MessagingPort,
  type PhoneNumber,
  type SendTextInput,
} from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildPhoneNumber } from './fixtures.js';
import {
  abortedCall,
  arrange,
  expectAborted,
  expectSdrError,
  sideDoorCheck,
  skipReason,
  type ConformanceOptions,
  type SubjectBase,
} from './harness.js';

/** What `create` returns for the messaging suite. */
export interface MessagingSubject extends SubjectBase {
  /** The implementation under test. */
  readonly messaging: MessagingPort;
  /** The channel instance to send from (default `default`). */
  readonly instance?: string;
  /** Who receives the test messages (default: a fresh number; real channels need a real one). */
  readonly recipient?: PhoneNumber;
  /** A number the harness arranged to be unreachable (not on WhatsApp): sends to it fail for good. */
  readonly unreachableRecipient?: PhoneNumber;
  /** An instance the harness arranged to be down: its health must say so. */
  readonly downInstance?: string;
}

/** Side door into what the provider delivered (the double's outbox, the msw request log). */
export interface MessagingInspector<Subject extends MessagingSubject> {
  /** The deliveries made with this idempotency key (one per real send). */
  deliveries(subject: Subject, idempotencyKey: string): Promise<readonly { readonly to: string }[]>;
}

export interface MessagingConformanceOptions<Subject extends MessagingSubject = MessagingSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: MessagingInspector<Subject>;
  /** Overrides of the capabilities the port declares (narrow what the suite exercises). */
  readonly capabilities?: Partial<MessagingCapabilities>;
}

/** Registers the `MessagingPort` conformance tests. */
export function runMessagingConformance<Subject extends MessagingSubject>(options: MessagingConformanceOptions<Subject>): void {
  async function setup() {
    const subject = await arrange(options);
    const instance = subject.instance ?? 'default';
    const recipient = subject.recipient ?? buildPhoneNumber();
    const capabilities: MessagingCapabilities = { ...subject.messaging.capabilities, ...options.capabilities };
    const text = (overrides: Partial<SendTextInput> = {}): SendTextInput => ({
      instance,
      to: recipient,
      text: 'Olá! Mensagem do teste de conformidade.',
      idempotencyKey: randomUUID(),
      ...overrides,
    });
    return { subject, messaging: subject.messaging, instance, recipient, capabilities, text };
  }

  describe(`MessagingPort conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1, a provider name, its channel and boolean capabilities',
      async () => {
        const { messaging } = await setup();
        expect(messaging.contractVersion).toBe('v1');
        expect(messaging.provider.length).toBeGreaterThan(0);
        expect(channels).toContain(messaging.channel);
        expect(typeof messaging.capabilities.media).toBe('boolean');
        expect(typeof messaging.capabilities.idempotentSends).toBe('boolean');
      },
      options.timeoutMs,
    );

    it(
      'sendText resolves with the provider message id and the acceptance instant; two messages get two ids',
      async () => {
        const world = await setup();
        const first = await world.messaging.sendText(world.text());
        const second = await world.messaging.sendText(world.text());
        expect(typeof first.providerMessageId).toBe('string');
        expect(first.providerMessageId.length).toBeGreaterThan(0);
        expect(first.acceptedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(first.acceptedAt.getTime())).toBe(false);
        expect(second.providerMessageId).not.toBe(first.providerMessageId);
      },
      options.timeoutMs,
    );

    it(
      'a sent message reaches the provider once, addressed to the recipient (inspect)',
      async (context) => {
        const world = await setup();
        const inspect = options.inspect;
        if (!inspect) return context.skip(skipReason('the delivery check', 'no inspect.deliveries side door'));
        const input = world.text();
        await world.messaging.sendText(input);
        expect(await inspect.deliveries(world.subject, input.idempotencyKey)).toEqual([
          expect.objectContaining({ to: world.recipient.e164 }),
        ]);
      },
      options.timeoutMs,
    );

    it(
      'idempotentSends: a repeated idempotencyKey returns the first result and delivers once',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.idempotentSends) {
          context.skip(skipReason('idempotent sends', "capabilities.idempotentSends is false (the dispatcher's claims dedupe instead)"));
        }
        const input = world.text();
        const first = await world.messaging.sendText(input);
        const again = await world.messaging.sendText(input);
        expect(again.providerMessageId).toBe(first.providerMessageId);
        await sideDoorCheck(context, options.inspect, 'one delivery for the key', async (inspect) => {
          expect(await inspect.deliveries(world.subject, input.idempotencyKey)).toHaveLength(1);
        });
      },
      options.timeoutMs,
    );

    it(
      'a call whose signal has already aborted rejects with an AbortedError and sends nothing; the key stays unused',
      async (context) => {
        const world = await setup();
        const input = world.text();
        await expectAborted(world.messaging.sendText(input, abortedCall()));
        await expectAborted(
          world.messaging.sendMedia(
            {
              instance: world.instance,
              to: world.recipient,
              idempotencyKey: randomUUID(),
              media: { contentType: 'image/png', url: 'https://example.com/aborted.png' },
            },
            abortedCall(),
          ),
        );
        await expectAborted(world.messaging.health({ instance: world.instance }, abortedCall()));
        await sideDoorCheck(context, options.inspect, 'no delivery for the aborted send', async (inspect) => {
          expect(await inspect.deliveries(world.subject, input.idempotencyKey)).toEqual([]);
        });
        // The aborted send never took the key: sending with it now is a first send.
        const sent = await world.messaging.sendText(input);
        expect(sent.providerMessageId.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );

    it(
      'reports health of an instance as up, degraded or down with a checkedAt instant',
      async () => {
        const world = await setup();
        const health = await world.messaging.health({ instance: world.instance });
        expect(['up', 'degraded', 'down']).toContain(health.status);
        expect(health.checkedAt).toBeInstanceOf(Date);
        if (health.detail !== undefined) expect(typeof health.detail).toBe('string');
      },
      options.timeoutMs,
    );

    it(
      'reports down for an instance that cannot send',
      async (context) => {
        const world = await setup();
        const down = world.subject.downInstance;
        if (down === undefined) return context.skip(skipReason('the down-instance check', 'the subject arranged no downInstance'));
        expect((await world.messaging.health({ instance: down })).status).toBe('down');
      },
      options.timeoutMs,
    );

    it(
      'a recipient who cannot be reached fails for good: a RecipientUnreachableError, not retryable',
      async (context) => {
        const world = await setup();
        const unreachable = world.subject.unreachableRecipient;
        if (!unreachable)
          return context.skip(skipReason('the unreachable-recipient check', 'the subject arranged no unreachableRecipient'));
        const error = await expectSdrError(world.messaging.sendText(world.text({ to: unreachable })), RecipientUnreachableError);
        expect(error.retryable).toBe(false);
        expect(JSON.stringify(error)).not.toContain(unreachable.digits);
        expect(error.message).not.toContain(unreachable.digits);
      },
      options.timeoutMs,
    );

    it(
      'sendMedia sends a media message by URL (capabilities.media)',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.media) context.skip(skipReason('media sends', 'capabilities.media is false'));
        const result = await world.messaging.sendMedia({
          instance: world.instance,
          to: world.recipient,
          idempotencyKey: randomUUID(),
          media: { contentType: 'image/png', url: 'https://example.com/conformance.png', fileName: 'conformance.png' },
          caption: 'Comprovante',
        });
        expect(result.providerMessageId.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );

    it(
      'without capabilities.media, sendMedia throws a ValidationError',
      async (context) => {
        const world = await setup();
        if (world.messaging.capabilities.media) context.skip(skipReason('the media refusal', 'the port declares capabilities.media'));
        await expectSdrError(
          world.messaging.sendMedia({
            instance: world.instance,
            to: world.recipient,
            idempotencyKey: randomUUID(),
            media: { contentType: 'image/png', url: 'https://example.com/x.png' },
          }),
          ValidationError,
        );
      },
      options.timeoutMs,
    );
  });
}
