/**
 * The agent's tools, bound to the core services for ONE lead: the lead is fixed by the turn
 * (closed over here), never an argument the model could change, and the booking service is
 * called with that lead as the actor, so the model can neither act for another lead nor see its
 * appointments. Each tool enforces its own rule before calling a service — `book_meeting` takes
 * only a slot offered to this lead by `find_slots` — and the service enforces the domain's
 * (availability under the calendar lock, the database's exclusion constraint).
 */
import type { Appointment, BookingService, Clock, ConversationService, HandoffService, Tenant } from '@sdr/core';
import type { ToolSet } from 'ai';
import { z } from 'zod';
import type { AgentSettings } from './agent-settings.js';
import { ToolRefusal, defineTool, describeInstant, readInstant, type ToolCallRecord } from './tool-support.js';

/** The core services the tools act through. */
export interface AgentServices {
  readonly booking: BookingService;
  readonly conversation: ConversationService;
  readonly handoff: HandoffService;
}

/** What the tools of one turn share and change. */
export interface TurnToolState {
  /** Slots offered to the lead (earlier turns and this one): the only ones that may be booked. */
  offered: Date[];
  /** The lead's next scheduled meeting. */
  appointment: Appointment | null;
  /** Set when the lead was handed to a person or opted out during the turn. */
  handedOff: boolean;
  optedOut: boolean;
  readonly calls: ToolCallRecord[];
}

/** What the tools are built from. */
export interface AgentToolContext {
  readonly services: AgentServices;
  readonly tenant: Tenant;
  readonly leadId: string;
  readonly settings: AgentSettings;
  readonly clock: Clock;
  readonly state: TurnToolState;
  /** Most slots `find_slots` returns (default 3). */
  readonly slotsPerOffer?: number;
}

/** Slots kept as "offered" across turns: the newest ones. */
const maxOffered = 12;

const isoString = z.string().trim().min(10).max(40);
const fieldValue = z.union([z.string().trim().max(500), z.number(), z.boolean()]);

// The tools' input schemas, built once (their JSON schemas are cached per schema).
const rangeInput = z.strictObject({ from: isoString.optional(), to: isoString.optional() });
const startInput = z.strictObject({ start: isoString });
const noInput = z.strictObject({});
const reasonInput = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const leadInput = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  fields: z.record(z.string(), fieldValue).optional(),
});
const tagsInput = z.strictObject({ tags: z.array(z.string().trim().min(1).max(100)).min(1).max(10) });

function rememberOffer(state: TurnToolState, starts: readonly Date[]): void {
  const known = new Set(starts.map((start) => start.getTime()));
  state.offered = [...starts, ...state.offered.filter((start) => !known.has(start.getTime()))].slice(0, maxOffered);
}

function requireOffered(state: TurnToolState, start: Date): void {
  if (!state.offered.some((offered) => offered.getTime() === start.getTime())) {
    throw new ToolRefusal('not_offered', 'start is not one of the slots offered to this lead: call find_slots and offer its slots first');
  }
}

/** The tool set of one turn (see the module comment). */
export function createAgentTools(context: AgentToolContext): ToolSet {
  const { services, tenant, leadId, settings, state } = context;
  const actor = { kind: 'lead' as const, leadId };
  const record = (call: ToolCallRecord) => state.calls.push(call);
  const zone = tenant.timeZone;
  const allowedFields = new Set(settings.questions.map((question) => question.field));

  const meetingOf = (appointment: Appointment) => ({
    id: appointment.id,
    ...describeInstant(appointment.start, tenant),
    end: describeInstant(appointment.end, tenant).start,
  });

  const findSlots = defineTool({
    name: 'find_slots',
    description: `Free meeting slots of ${settings.company ?? tenant.name}, earliest first. Optional "from" and "to" (ISO date-times with offset, in ${zone}) narrow the search.`,
    schema: rangeInput,
    record,
    run: async (args) => {
      const from = args.from === undefined ? undefined : readInstant(args.from, zone, 'from');
      const to = args.to === undefined ? undefined : readInstant(args.to, zone, 'to');
      const slots = await services.booking.findSlots({
        tenantId: tenant.id,
        actor,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(state.appointment === null ? {} : { reschedulingAppointmentId: state.appointment.id }),
        limit: context.slotsPerOffer ?? 3,
      });
      rememberOffer(
        state,
        slots.map((slot) => slot.start),
      );
      return { timeZone: zone, slots: slots.map((slot) => ({ start: slot.localStart, label: slot.localLabel })) };
    },
  });

  const bookMeeting = defineTool({
    name: 'book_meeting',
    description: 'Books the meeting at one of the slots offered to the lead. "start" is that slot\'s exact start.',
    schema: startInput,
    record,
    run: async (args) => {
      const start = readInstant(args.start, zone, 'start');
      if (state.appointment !== null)
        throw new ToolRefusal('already_booked', 'the lead already has a meeting: use reschedule_meeting or cancel_meeting');
      requireOffered(state, start);
      const { appointment } = await services.booking.book({ tenantId: tenant.id, leadId, actor, start });
      state.appointment = appointment;
      return { meeting: meetingOf(appointment) };
    },
  });

  const rescheduleMeeting = defineTool({
    name: 'reschedule_meeting',
    description:
      'Moves the lead\'s meeting to one of the slots offered to the lead (call find_slots first). "start" is that slot\'s exact start.',
    schema: startInput,
    record,
    run: async (args) => {
      const start = readInstant(args.start, zone, 'start');
      const current = state.appointment;
      if (current === null) throw new ToolRefusal('no_meeting', 'the lead has no meeting to move: use book_meeting');
      requireOffered(state, start);
      const result = await services.booking.reschedule({ tenantId: tenant.id, appointmentId: current.id, actor, start });
      state.appointment = result.appointment;
      return { meeting: meetingOf(result.appointment) };
    },
  });

  const cancelMeeting = defineTool({
    name: 'cancel_meeting',
    description: "Cancels the lead's upcoming meeting.",
    schema: noInput,
    record,
    run: async () => {
      const current = state.appointment;
      if (current === null) throw new ToolRefusal('no_meeting', 'the lead has no meeting to cancel');
      await services.booking.cancel({ tenantId: tenant.id, appointmentId: current.id, actor });
      state.appointment = null;
      return { cancelled: describeInstant(current.start, tenant) };
    },
  });

  const handoff = defineTool({
    name: 'handoff_to_human',
    description: 'Hands the conversation to a person of the team, with a short reason for them.',
    schema: reasonInput,
    record,
    run: async (args) => {
      await services.handoff.requestHandoff({ tenant, leadId, reason: args.reason, requestedBy: 'agent' });
      state.handedOff = true;
      return {};
    },
  });

  const updateLead = defineTool({
    name: 'update_lead',
    description: `Stores what the lead told: their "name", and qualification answers in "fields" (only these fields: ${settings.questions.length === 0 ? 'none' : [...allowedFields].join(', ')}).`,
    schema: leadInput,
    record,
    run: async (args) => {
      const unknown = Object.keys(args.fields ?? {}).filter((field) => !allowedFields.has(field));
      if (unknown.length > 0)
        throw new ToolRefusal('validation', `fields: not a qualification field of this business: ${unknown.join(', ')}`);
      if (args.name === undefined && args.fields === undefined) throw new ToolRefusal('validation', 'input: give "name" or "fields"');
      await services.conversation.updateLead({ tenant, leadId, name: args.name, fields: args.fields });
      return { fields: args.fields ?? {}, ...(args.name === undefined ? {} : { name: 'stored' }) };
    },
  });

  const tagLead = defineTool({
    name: 'tag_lead',
    description: 'Adds tags to the lead (interests, objections), keeping the others.',
    schema: tagsInput,
    record,
    run: async (args) => {
      const lead = await services.conversation.updateTags({ tenant, leadId, add: args.tags });
      return { tags: lead.tags };
    },
  });

  const optOut = defineTool({
    name: 'opt_out',
    description: 'The lead asked not to be contacted again: nothing more will be sent to them.',
    schema: noInput,
    record,
    run: async () => {
      await services.conversation.optOut({ tenant, leadId });
      state.optedOut = true;
      return {};
    },
  });

  return {
    find_slots: findSlots,
    book_meeting: bookMeeting,
    reschedule_meeting: rescheduleMeeting,
    cancel_meeting: cancelMeeting,
    handoff_to_human: handoff,
    update_lead: updateLead,
    tag_lead: tagLead,
    opt_out: optOut,
  };
}
