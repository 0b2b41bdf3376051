/**
 * A dispatcher on the real in-memory doubles, for the dispatcher's own tests: a virtual clock,
 * a store and a channel wrapped in fault injection, a tenant open Mon–Fri 09:00–18:00 in São
 * Paulo, and stub handlers whose decisions come from each row's payload.
 */
import { randomUUID } from 'node:crypto';
import { PhoneNumber } from '../../identity/phone-number.js';
import { createDomainEvents, type DomainEventMap, type DomainEventName } from '../../events/domain-events.js';
import { parseOrThrow } from '../../model/parse.js';
import type { ScheduledKind, ScheduledMessage } from '../../model/scheduled-message.js';
import { tenantSchema, type Tenant } from '../../model/tenant.js';
import { VirtualClock } from '../../../ports/clock/clock.js';
import type { Logger } from '../../../ports/logger/logger.js';
import type { JsonValue } from '../../model/common.js';
import { createInMemoryMessaging, createInMemoryStore, injectFaults } from '../../../testing/index.js';
import type { DispatchContext, DispatchDecision, DispatchHandler, DispatchOutcome } from '../dispatch-handler.js';
import { createDispatcher, type Dispatcher } from '../dispatcher.js';
import type { DispatcherOptions } from '../dispatcher-options.js';

/** Wednesday 2031-03-05 11:00 in São Paulo (UTC−3): the business is open. */
export const T0 = new Date('2031-03-05T14:00:00.000Z');
export const second = 1000;
export const minute = 60 * second;
export const hour = 60 * minute;

const weekday: [string, string][] = [['09:00', '18:00']];

/** Payload fields the stub handlers read. */
export interface StubPayload {
  readonly to?: string;
  readonly instance?: string;
  readonly text?: string;
  readonly businessHours?: 'respect' | 'ignore';
}

/** One call of a stub handler's `onSettled`. */
export interface SettledCall {
  readonly message: ScheduledMessage;
  readonly outcome: DispatchOutcome;
}

/** A handler whose calls are recorded; `prepare` defaults to a `send` built from the payload. */
export interface StubHandler extends DispatchHandler {
  readonly prepared: ScheduledMessage[];
  readonly performed: ScheduledMessage[];
  readonly settled: SettledCall[];
}

/** A stub handler; override `prepare`, `perform` or `onSettled` to change its behaviour. */
export function stubHandler(
  kinds: readonly ScheduledKind[],
  overrides: {
    readonly prepare?: (message: ScheduledMessage, context: DispatchContext) => DispatchDecision | Promise<DispatchDecision>;
    readonly perform?: (message: ScheduledMessage, context: DispatchContext) => Promise<void>;
    readonly onSettled?: (message: ScheduledMessage, outcome: DispatchOutcome) => Promise<void>;
  } = {},
): StubHandler {
  const prepared: ScheduledMessage[] = [];
  const performed: ScheduledMessage[] = [];
  const settled: SettledCall[] = [];
  return {
    kinds,
    prepared,
    performed,
    settled,
    prepare: async (message, context) => {
      prepared.push(message);
      if (overrides.prepare) return overrides.prepare(message, context);
      return sendDecision(message, context.tenant);
    },
    perform: async (message, context) => {
      performed.push(message);
      await overrides.perform?.(message, context);
    },
    onSettled: async (message, outcome) => {
      settled.push({ message, outcome });
      await overrides.onSettled?.(message, outcome);
    },
  };
}

/** The `send` decision the default stub builds from a row's payload. */
export function sendDecision(message: ScheduledMessage, tenant: Tenant): DispatchDecision {
  const payload = message.payload as StubPayload;
  return {
    action: 'send',
    to: PhoneNumber.parse(payload.to ?? '+5511987654321'),
    text: payload.text ?? `hello from ${message.kind}`,
    instance: payload.instance ?? tenant.messaging.instance,
    businessHours: payload.businessHours ?? 'respect',
  };
}

/** A logger that keeps every line. */
export function recordingLogger(): Logger & { readonly lines: { level: string; message: string; context: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; context: Record<string, unknown> }[] = [];
  const at = (level: string) => (context: Record<string, unknown>, message: string) => {
    lines.push({ level, message, context });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Everything a dispatcher test needs. */
export async function dispatchHarness(
  options: {
    readonly start?: Date;
    readonly handlers?: readonly DispatchHandler[];
    readonly dispatcher?: Partial<Omit<DispatcherOptions, 'store' | 'messaging' | 'clock' | 'handlers'>>;
  } = {},
) {
  const clock = new VirtualClock(options.start ?? T0);
  const rawStore = createInMemoryStore({ clock });
  const scheduler = injectFaults(rawStore.scheduledMessages, { clock });
  const store = { ...rawStore, scheduledMessages: scheduler.port };
  const channel = createInMemoryMessaging({ clock });
  const messaging = injectFaults(channel, { clock });
  const events = createDomainEvents();
  const emitted: { name: DomainEventName; event: DomainEventMap[DomainEventName] }[] = [];
  const names: DomainEventName[] = ['scheduled.sent', 'scheduled.skipped', 'scheduled.failed', 'alert.raised', 'alert.resolved'];
  for (const name of names) events.on(name, (event: DomainEventMap[DomainEventName]) => emitted.push({ name, event }));
  const logger = recordingLogger();
  const tenant = await rawStore.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme Ltda',
      timeZone: 'America/Sao_Paulo',
      businessHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
      createdAt: clock.now(),
      updatedAt: clock.now(),
      version: 0,
    }),
  );
  const handler = stubHandler(['reengage_1', 'reengage_2', 'reminder_24h', 'billing_step']);
  const performer = stubHandler(['give_up'], { prepare: () => ({ action: 'perform', businessHours: 'respect' }) });

  const make = (overrides: Partial<DispatcherOptions> = {}): Dispatcher =>
    createDispatcher({
      store,
      messaging: messaging.port,
      clock,
      handlers: options.handlers ?? [handler, performer],
      events,
      logger,
      pacing: false,
      random: () => 1,
      ...options.dispatcher,
      ...overrides,
    });

  /** Schedules a row due at `dueAt` (default now) for the harness tenant. */
  const schedule = async (input: { kind?: ScheduledKind; dueAt?: Date; payload?: StubPayload; tenantId?: string } = {}) => {
    const { message } = await rawStore.scheduledMessages.schedule({
      tenantId: input.tenantId ?? tenant.id,
      leadId: randomUUID(),
      kind: input.kind ?? 'reengage_1',
      dedupeKey: `test:${randomUUID()}`,
      dueAt: input.dueAt ?? clock.now(),
      payload: (input.payload ?? {}) as Record<string, JsonValue>,
    });
    return message;
  };

  /** The stored row. */
  const row = async (id: string, tenantId: string = tenant.id): Promise<ScheduledMessage> => {
    const found = await rawStore.scheduledMessages.get(tenantId, id);
    if (found === null) throw new Error(`scheduled message ${id} not found`);
    return found;
  };

  /** Events of one name, in order. */
  const eventsNamed = <Name extends DomainEventName>(name: Name): DomainEventMap[Name][] =>
    emitted.filter((entry) => entry.name === name).map((entry) => entry.event as DomainEventMap[Name]);

  return {
    clock,
    rawStore,
    store,
    scheduler,
    channel,
    messaging,
    events,
    emitted,
    eventsNamed,
    logger,
    tenant,
    handler,
    performer,
    make,
    schedule,
    row,
  };
}

/**
 * Settles `work` on a virtual clock: advances the clock to its next timer until `work` is
 * done — the way a simulator drives a pass that waits on the clock (pacing, slow sends).
 */
export async function driveUntilSettled<T>(
  clock: VirtualClock,
  work: Promise<T>,
  options: { readonly maxSteps?: number } = {},
): Promise<T> {
  // Set by the callbacks below: widened so that TypeScript does not keep it narrowed to `false`.
  let done = false as boolean;
  work.then(
    () => (done = true),
    () => (done = true),
  );
  const maxSteps = options.maxSteps ?? 10_000;
  for (let step = 0; !done; step += 1) {
    if (step >= maxSteps) throw new Error(`work not settled after ${maxSteps} clock steps`);
    const next = clock.nextTimerAt();
    await (next === undefined ? clock.advance(0) : clock.advanceTo(next));
  }
  return work;
}
