/**
 * Availability and appointments: free slots, book, reschedule, cancel, read. The caller books
 * as the lead by default (only slots availability offers); `actor: "operator"` books as a person
 * may — outside business hours or the notice if need be, with `override`, never over a conflict.
 */
import { bookInputSchema, findSlotsInputSchema, idSchema, rescheduleInputSchema, type BookingActor, type Tenant } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, idParamsSchema, listSchema } from '../schemas/common.js';
import { appointmentResource, slotResource, toAppointmentResource } from '../schemas/resources.js';
import { loadLead } from './leads.js';

const operator: BookingActor = { kind: 'operator' };

const actorField = z
  .enum(['lead', 'operator'])
  .default('lead')
  .describe('`lead` (default): the bot books for the lead, within what availability offers. `operator`: a person books.');

const book = bookInputSchema.shape;
const move = rescheduleInputSchema.shape;
const slots = findSlotsInputSchema.shape;

/** The override is an operator's: the bot books only what availability offers (core's rule, named under `body`). */
function overrideNeedsOperator(body: { readonly actor: 'lead' | 'operator'; readonly override?: unknown }, context: z.RefinementCtx): void {
  if (body.override !== undefined && body.actor !== 'operator') {
    context.addIssue({
      code: 'custom',
      path: ['override'],
      message: 'only an operator may override availability: send "actor": "operator"',
    });
  }
}

const bookBody = z
  .strictObject({
    start: book.start,
    durationMinutes: book.durationMinutes,
    appointmentId: book.appointmentId,
    description: book.description,
    override: book.override,
    actor: actorField,
  })
  .superRefine(overrideNeedsOperator);

const rescheduleBody = z
  .strictObject({
    start: move.start,
    durationMinutes: move.durationMinutes,
    newAppointmentId: move.newAppointmentId,
    description: move.description,
    override: move.override,
    actor: actorField,
  })
  .superRefine(overrideNeedsOperator);

const slotsQuery = z.strictObject({
  from: slots.from,
  to: slots.to,
  durationMinutes: z.coerce.number().int().min(5).max(1440).optional(),
  leadId: idSchema.optional().describe('Find slots for this lead (the bot’s offer); default: as an operator.'),
  reschedulingAppointmentId: slots.reschedulingAppointmentId,
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function actorFor(kind: 'lead' | 'operator', leadId: string): BookingActor {
  return kind === 'lead' ? { kind: 'lead', leadId } : operator;
}

const bookedResponse = z.object({ appointment: appointmentResource, created: z.boolean() });

/** The availability and appointment routes. */
export function appointmentRoutes(context: ServerContext): FastifyPluginCallbackZod {
  const { booking } = context.services;
  const getAppointment = (tenant: Tenant, appointmentId: string) =>
    booking.getAppointment({ tenantId: tenant.id, appointmentId, actor: operator });

  return (app, _options, done) => {
    app.get(
      '/slots',
      {
        schema: {
          tags: ['appointments'],
          summary: 'Free slots of the tenant’s calendar, earliest first',
          querystring: slotsQuery,
          response: { 200: listSchema(slotResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const { leadId, from, to, durationMinutes, reschedulingAppointmentId, limit } = request.query;
        if (leadId !== undefined) await loadLead(context, tenant.id, leadId);
        const items = await booking.findSlots({
          tenantId: tenant.id,
          actor: leadId === undefined ? operator : { kind: 'lead', leadId },
          limit,
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(durationMinutes === undefined ? {} : { durationMinutes }),
          ...(reschedulingAppointmentId === undefined ? {} : { reschedulingAppointmentId }),
        });
        return { items };
      },
    );

    app.post(
      '/leads/:id/appointments',
      {
        schema: {
          tags: ['appointments'],
          summary: 'Book a meeting for a lead',
          description:
            'A taken slot is a 409 `slot_unavailable` problem listing `alternatives`. Pass `appointmentId` (or an Idempotency-Key) to repeat the call safely.',
          params: idParamsSchema,
          body: bookBody,
          response: { 200: bookedResponse, 201: bookedResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        const { actor, ...input } = request.body;
        const result = await booking.book({
          ...input,
          tenantId: tenant.id,
          leadId: request.params.id,
          actor: actorFor(actor, request.params.id),
        });
        return reply
          .code(result.created ? 201 : 200)
          .send({ appointment: toAppointmentResource(result.appointment), created: result.created });
      },
    );

    app.get(
      '/leads/:id/appointments',
      {
        schema: {
          tags: ['appointments'],
          summary: 'A lead’s appointments, earliest first',
          params: idParamsSchema,
          response: { 200: listSchema(appointmentResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const items = await booking.listAppointments({ tenantId: tenant.id, leadId: request.params.id, actor: operator });
        return { items: items.map(toAppointmentResource) };
      },
    );

    app.get(
      '/appointments/:id',
      {
        schema: {
          tags: ['appointments'],
          summary: 'Get an appointment',
          params: idParamsSchema,
          response: { 200: appointmentResource, ...errorResponses },
        },
      },
      async (request) => toAppointmentResource(await getAppointment(tenantOf(request), request.params.id)),
    );

    app.post(
      '/appointments/:id/reschedule',
      {
        schema: {
          tags: ['appointments'],
          summary: 'Move a scheduled appointment',
          description: 'Books the new time first, then cancels the old appointment; if the new time is taken, the old one is untouched.',
          params: idParamsSchema,
          body: rescheduleBody,
          response: {
            200: z.object({ appointment: appointmentResource, previous: appointmentResource, created: z.boolean() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const current = await getAppointment(tenant, request.params.id);
        const { actor, ...input } = request.body;
        const result = await booking.reschedule({
          ...input,
          tenantId: tenant.id,
          appointmentId: current.id,
          actor: actorFor(actor, current.leadId),
        });
        return {
          appointment: toAppointmentResource(result.appointment),
          previous: toAppointmentResource(result.previous),
          created: result.created,
        };
      },
    );

    app.post(
      '/appointments/:id/cancel',
      {
        schema: {
          tags: ['appointments'],
          summary: 'Cancel a scheduled appointment',
          params: idParamsSchema,
          response: { 200: z.object({ appointment: appointmentResource, eventDeleted: z.boolean() }), ...errorResponses },
        },
      },
      async (request) => {
        const result = await booking.cancel({ tenantId: tenantOf(request).id, appointmentId: request.params.id, actor: operator });
        return { appointment: toAppointmentResource(result.appointment), eventDeleted: result.eventDeleted };
      },
    );
    done();
  };
}
