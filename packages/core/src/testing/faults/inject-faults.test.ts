import { describe, expect, it } from 'vitest';
import { AbortedError, ProviderUnavailableError, RateLimitedError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { newPhone } from '../__fixtures__/entities.js';
import { createInMemoryCrm } from '../crm/in-memory-crm.js';
import { createInMemoryMessaging } from '../messaging/in-memory-messaging.js';
import { injectFaults } from './inject-faults.js';

function setup() {
  const clock = new VirtualClock('2031-01-01T12:00:00Z');
  const messaging = createInMemoryMessaging({ clock });
  const { port, faults } = injectFaults(messaging, { clock });
  const send = (idempotencyKey: string) => port.sendText({ instance: 'main', to: newPhone(), text: 'Oi', idempotencyKey });
  return { clock, messaging, port, faults, send };
}

describe('injectFaults', () => {
  it('failNext fails the next n calls without reaching the port, with a fresh error per call from a factory', async () => {
    const { messaging, faults, send } = setup();
    faults.failNext('sendText', 2, () => new RateLimitedError('slow down', { retryAfterMs: 1000 }));
    const first: unknown = await send('a').catch((error: unknown) => error);
    const second: unknown = await send('b').catch((error: unknown) => error);
    expect(RateLimitedError.isInstance(first) && first.retryAfterMs).toBe(1000);
    expect(second).not.toBe(first);
    await send('c');
    expect(messaging.sent.map((record) => record.idempotencyKey)).toEqual(['c']);
    expect(faults.calls('sendText').map((call) => call.outcome)).toEqual(['injected-failure', 'injected-failure', 'resolved']);
  });

  it('succeedButTimeout: the effect happens, then a retryable timeout; the idempotent retry returns the first result', async () => {
    const { messaging, faults, send, port } = setup();
    faults.succeedButTimeout('sendText', 1);
    const error: unknown = await send('k').catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error) && error.retryable).toBe(true);
    expect(ProviderUnavailableError.isInstance(error) && error.message).toContain('timeout');
    expect(messaging.sent).toHaveLength(1);
    const retry = await port.sendText({ instance: 'main', to: newPhone(), text: 'Oi', idempotencyKey: 'k' });
    expect(retry.providerMessageId).toBe(messaging.sent[0]?.providerMessageId);
    expect(messaging.sent).toHaveLength(1);
  });

  it("succeedButTimeout passes the port's own failure through (then nothing happened)", async () => {
    const { messaging, faults, port } = setup();
    const unreachable = newPhone();
    messaging.markNotOnWhatsApp(unreachable);
    faults.succeedButTimeout('sendText', 1, new Error('custom timeout'));
    await expect(port.sendText({ instance: 'main', to: unreachable, text: 'Oi', idempotencyKey: 'k' })).rejects.toThrow(/not on WhatsApp/);
    expect(faults.calls()[0]?.outcome).toBe('rejected');
  });

  it('delay waits on the clock before the call reaches the port', async () => {
    const { clock, messaging, faults, send } = setup();
    faults.delay('sendText', 5000);
    const pending = send('k');
    await clock.advance(4999);
    expect(messaging.sent).toHaveLength(0);
    await clock.advance(1);
    await pending;
    expect(messaging.sent).toHaveLength(1);
    faults.clear();
    await send('k2');
    expect(messaging.sent).toHaveLength(2);
  });

  it("a delayed call honours the call's signal: an abort during the delay rejects it with an AbortedError before it reaches the port", async () => {
    const { clock, messaging, port, faults } = setup();
    faults.delay('sendText', 5000);
    const controller = new AbortController();
    const pending = port
      .sendText({ instance: 'main', to: newPhone(), text: 'Oi', idempotencyKey: 'k' }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await clock.advance(1000);
    controller.abort();
    expect(AbortedError.isInstance(await pending)).toBe(true);
    await clock.advance(5000);
    expect(messaging.sent).toHaveLength(0);
    expect(faults.calls('sendText').map((call) => call.outcome)).toEqual(['rejected']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes properties, getters and synchronous inspection methods through untouched, with the original `this`', async () => {
    const clock = new VirtualClock('2031-01-01T12:00:00Z');
    const crm = createInMemoryCrm({ clock });
    const { port, faults } = injectFaults(crm, { clock });
    expect(port.contractVersion).toBe('v1');
    expect(port.capabilities).toBe(crm.capabilities);
    await port.listPipelines();
    expect(port.requests).toHaveLength(1);
    expect(port.maxRequestsPerSecond()).toBe(1);
    // Wrappers are cached: the same method reads back as the same function.
    expect(Reflect.get(port, 'listPipelines')).toBe(Reflect.get(port, 'listPipelines'));
    expect(faults.calls().map((call) => call.method)).toEqual(['listPipelines']);
    faults.clearCalls();
    expect(faults.calls()).toEqual([]);
  });

  it('works on class instances with private fields', async () => {
    class Counter {
      #count = 0;
      increment(): Promise<number> {
        this.#count += 1;
        return Promise.resolve(this.#count);
      }
    }
    const { port, faults } = injectFaults(new Counter());
    faults.succeedButTimeout('increment', 1);
    await expect(port.increment()).rejects.toSatisfy(ProviderUnavailableError.isInstance.bind(ProviderUnavailableError));
    expect(await port.increment()).toBe(2);
  });
});
