/**
 * `simulateJourney`: plays a scenario — a lead's conversation, meetings, handoffs and stage
 * moves — on a virtual clock and the in-memory doubles, through the real services (conversation
 * ingestion, the follow-up engine, the booking service) and the dispatcher with the follow-up
 * handler. Nothing takes a shortcut: a re-engagement in the timeline was scheduled by the
 * policy, claimed, re-validated, sent through the messaging port and recorded exactly as in
 * production; a meeting was booked under the calendar lock against free/busy (see
 * `journey-meetings.ts` for why the simulator books as an operator). Days run in milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { SdrError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { createInMemoryCalendar } from '../../testing/calendar/in-memory-calendar.js';
import { createInMemoryLock } from '../../ports/lock/in-memory-lock.js';
import { createInMemoryMessaging } from '../../testing/messaging/in-memory-messaging.js';
import { createInMemoryStore } from '../../memory/store/in-memory-store.js';
import { BookingService } from '../booking/booking-service.js';
import { createConversationService, type ConversationService } from '../conversation/conversation-service.js';
import { createDispatcher, type Dispatcher } from '../dispatch/dispatcher.js';
import { createDomainEvents } from '../events/domain-events.js';
import { followUpKinds } from '../follow-up/dedupe-keys.js';
import { createFollowUpDispatchHandler } from '../follow-up/follow-up-dispatch-handler.js';
import { createFollowUpService, type FollowUpService } from '../follow-up/follow-up-service.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import { playMeetingEvent } from './journey-meetings.js';
import { watchJourney, type JourneyEntry } from './journey-timeline.js';
import { parseScenario, type Scenario, type ScenarioEvent } from './scenario-schema.js';

/** A played journey: the parsed scenario, the tenant it ran for, the timeline in time order, and the state at `until`. */
export interface JourneyResult {
  readonly scenario: Scenario;
  readonly tenant: Tenant;
  readonly entries: readonly JourneyEntry[];
  /** The lead at `until`. */
  readonly lead: Lead;
  /** Every scheduled message of the lead at `until`, explanations included. */
  readonly scheduledMessages: readonly ScheduledMessage[];
}

// Far more steps than a year of one lead's follow-ups: only a bug (a message deferred to the
// instant it was due, forever) gets here, and it must end with an error, not hang.
const maxSteps = 100_000;

/** Plays a scenario (a parsed `Scenario`, or the JSON value, which is validated first). */
export async function simulateJourney(input: unknown): Promise<JourneyResult> {
  const scenario = isScenario(input) ? input : parseScenario(input);
  const clock = new VirtualClock(scenario.start);
  const store = createInMemoryStore({ clock });
  const messaging = createInMemoryMessaging({ clock });
  const events = createDomainEvents();
  const followUp = createFollowUpService({ store, clock, events });
  const conversation = createConversationService({ store, clock, followUp, events });
  // Pacing off: one lead's messages are minutes apart, and a paced pass would wait on the clock.
  const dispatcher = createDispatcher({
    store,
    messaging,
    clock,
    handlers: [createFollowUpDispatchHandler({ followUp, events })],
    workerId: 'journey-simulator',
    pacing: false,
    events,
  });
  const booking = new BookingService({
    store,
    calendar: createInMemoryCalendar({ clock }),
    lock: createInMemoryLock({ clock }),
    clock,
    observers: [followUp],
    events,
  });
  const now = clock.now();
  const tenant = await store.tenants.create({
    ...scenario.tenant,
    id: randomUUID(),
    name: 'Simulation',
    createdAt: now,
    updatedAt: now,
    version: 0,
  });
  const { lead } = await conversation.findOrCreateLead({ tenant, from: scenario.lead.phone, name: scenario.lead.name });
  const watcher = await watchJourney(store, tenant.id, lead.id);
  const world: World = { tenant, lead, followUp, conversation, booking, meeting: null };

  const entries: JourneyEntry[] = [];
  const queue = [...scenario.events];
  for (let step = 0; ; step += 1) {
    if (step >= maxSteps) throw new SdrError(`the simulation did not settle within ${maxSteps} steps`);
    const nextDue = await nextDueAt(store, tenant.id);
    const nextEvent = queue[0];
    const dueFirst = nextDue !== null && nextDue <= scenario.until && (!nextEvent || nextDue <= nextEvent.at);
    if (dueFirst) {
      await clock.set(Math.max(nextDue.getTime(), clock.now().getTime()));
      await runDispatcher(dispatcher, store, tenant.id, clock);
    } else if (nextEvent) {
      queue.shift();
      await clock.set(nextEvent.at);
      entries.push({ at: clock.now().toISOString(), type: 'event', event: structuredClone(nextEvent.input) });
      await play(nextEvent, world);
    } else {
      break;
    }
    entries.push(...(await watcher.changes(clock.now())));
  }
  await clock.set(scenario.until);
  const final = await store.leads.get(tenant.id, lead.id);
  const scheduledMessages = await store.scheduledMessages.list({ tenantId: tenant.id, leadId: lead.id, limit: 100_000 });
  return { scenario, tenant, entries, lead: final ?? lead, scheduledMessages };
}

interface World {
  readonly tenant: Tenant;
  readonly lead: Lead;
  readonly followUp: FollowUpService;
  readonly conversation: ConversationService;
  readonly booking: BookingService;
  /** The lead's current meeting, for reschedule and cancel. */
  meeting: Appointment | null;
}

/** Applies one scenario event through the service that owns it. */
async function play(event: ScenarioEvent, world: World): Promise<void> {
  const { tenant, lead } = world;
  switch (event.type) {
    case 'outbound':
      await world.conversation.recordOutbound({ tenant, leadId: lead.id, body: event.text, at: event.at });
      return;
    case 'inbound':
      await world.conversation.recordInbound({
        tenant,
        from: lead.phone,
        providerMessageId: `simulated-${event.index}`,
        body: event.text,
        at: event.at,
      });
      return;
    case 'book':
    case 'reschedule':
    case 'cancel':
      world.meeting = await playMeetingEvent({ booking: world.booking, tenant, leadId: lead.id, meeting: world.meeting, event });
      return;
    case 'handoff':
      await world.followUp.handle({
        tenant,
        leadId: lead.id,
        event: { type: 'handoff', reason: event.reason ?? 'handoff requested', requestedBy: 'operator' },
      });
      return;
    case 'resume':
      await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'resume' } });
      return;
    case 'optout':
      await world.conversation.optOut({ tenant, leadId: lead.id, at: event.at });
      return;
    case 'stage':
      await world.followUp.handle({ tenant, leadId: lead.id, event: { type: 'crm_stage_changed', to: event.to } });
      return;
  }
}

/** The earliest `dueAt` among the tenant's pending follow-ups. */
async function nextDueAt(store: Store, tenantId: string): Promise<Date | null> {
  const [first] = await store.scheduledMessages.list({ tenantId, kinds: followUpKinds, statuses: ['pending'], limit: 1 });
  return first ? first.dueAt : null;
}

/** Passes until nothing due is left (a pass may schedule something due at once, such as a late reminder). */
async function runDispatcher(dispatcher: Dispatcher, store: Store, tenantId: string, clock: VirtualClock): Promise<void> {
  for (let pass = 0; pass < 100; pass += 1) {
    await dispatcher.runOnce();
    const due = await nextDueAt(store, tenantId);
    if (!due || due > clock.now()) return;
  }
  throw new SdrError('the dispatcher kept finding due messages at the same instant');
}

function isScenario(input: unknown): input is Scenario {
  return typeof input === 'object' && input !== null && 'start' in input && input.start instanceof Date && 'events' in input;
}
