import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError, RecipientUnreachableError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { newPhone } from '../__fixtures__/entities.js';
import { createInMemoryMessaging } from './in-memory-messaging.js';

function setup() {
  const clock = new VirtualClock('2031-01-01T12:00:00Z');
  return { clock, messaging: createInMemoryMessaging({ clock }) };
}

describe('createInMemoryMessaging', () => {
  it('records sends; a repeated idempotency key returns the first result and records nothing new', async () => {
    const { clock, messaging } = setup();
    const to = newPhone();
    const first = await messaging.sendText({ instance: 'main', to, text: 'Oi', idempotencyKey: 'k1' });
    await clock.advance(1000);
    const again = await messaging.sendText({ instance: 'main', to, text: 'Oi de novo', idempotencyKey: 'k1' });
    expect(again).toEqual(first);
    await messaging.sendMedia({
      instance: 'main',
      to,
      idempotencyKey: 'k2',
      media: { contentType: 'image/png', url: 'https://example.com/a.png' },
      caption: 'Foto',
    });
    expect(messaging.sent).toEqual([
      expect.objectContaining({
        instance: 'main',
        to: to.e164,
        text: 'Oi',
        idempotencyKey: 'k1',
        providerMessageId: first.providerMessageId,
      }),
      expect.objectContaining({ text: 'Foto', media: { contentType: 'image/png', url: 'https://example.com/a.png' } }),
    ]);
  });

  it('a number not on WhatsApp fails for good; a down instance fails retryably and reports down', async () => {
    const { messaging } = setup();
    const unreachable = newPhone();
    messaging.markNotOnWhatsApp(unreachable.e164);
    const permanent: unknown = await messaging
      .sendText({ instance: 'main', to: unreachable, text: 'Oi', idempotencyKey: 'k' })
      .catch((error: unknown) => error);
    expect(RecipientUnreachableError.isInstance(permanent)).toBe(true);
    expect((permanent as RecipientUnreachableError).retryable).toBe(false);
    messaging.setInstanceHealth('main', 'down');
    expect((await messaging.health({ instance: 'main' })).status).toBe('down');
    expect((await messaging.health({ instance: 'other' })).status).toBe('up');
    const transient: unknown = await messaging
      .sendText({ instance: 'main', to: newPhone(), text: 'Oi', idempotencyKey: 'k2' })
      .catch((error: unknown) => error);
    expect(ProviderUnavailableError.isInstance(transient) && transient.retryable).toBe(true);
    expect(messaging.sent).toEqual([]);
    messaging.clear();
    expect((await messaging.health({ instance: 'main' })).status).toBe('up');
  });
});
