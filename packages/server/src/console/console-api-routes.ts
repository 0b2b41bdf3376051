/**
 * Read-only routes the console shows and the API lacked, each scoped to the caller's tenant:
 *
 * - `GET /v1/tenant`: the tenant of the key (its name, zone, locale, stage mapping…).
 * - `GET /v1/status`: the workers' heartbeats (process-wide: no tenant data in them), and the
 *   tenant's own scheduler lag and CRM / calendar outbox depth.
 * - `GET /v1/leads/{id}/crm-sync`: what the CRM sync last wrote for a lead and what is still
 *   waiting (outbox entries without their payloads, which may hold personal data).
 * - `GET /v1/appointments?from&to`: the tenant's appointments on its calendar in a range (a week
 *   of the console's calendar), whichever lead they belong to.
 */
import { NotFoundError, ValidationError, appointmentStatusSchema, instantSchema, type Clock, type Store } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../http/request-context.js';
import { tenantResource } from '../http/routes/tenants.js';
import { errorResponses, idParamsSchema, listSchema } from '../http/schemas/common.js';
import { appointmentResource, toAppointmentResource } from '../http/schemas/resources.js';
import type { Heartbeats } from '../observability/index.js';

/** Options of `createConsoleApiRoutes`. */
export interface ConsoleApiRoutesOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly heartbeats: Pick<Heartbeats, 'list'>;
}

const instant = z.date().describe('An instant, ISO-8601 in UTC.');
const seconds = z.number().nonnegative().describe('Seconds (0 when nothing waits).');

const outboxStatus = z.object({
  pending: z.number().int().describe('Entries waiting to be applied.'),
  dead: z.number().int().describe('Entries given up on.'),
  lagSeconds: seconds.describe('Age of the oldest pending entry, in seconds (0 when none).'),
});

const statusResource = z
  .object({
    now: instant.describe('The server’s time (the sandbox clock when the sandbox runs).'),
    workers: z
      .array(
        z.object({
          component: z.string().describe('`dispatcher`, `crm-sync`, `calendar-outbox`, `reconciliation`, `alerts`.'),
          workerId: z.string(),
          processId: z.string(),
          startedAt: instant,
          lastBeatAt: instant,
          ageSeconds: seconds.describe('Seconds since the last beat.'),
        }),
      )
      .describe('Every worker loop’s last heartbeat, newest first (process-wide).'),
    scheduler: z.object({
      pending: z.number().int(),
      duePending: z.number().int().describe('Pending messages already due.'),
      lagSeconds: seconds.describe('Now minus the due time of the oldest due pending message.'),
      sending: z.number().int(),
      stuck: z.number().int().describe('Messages in `sending` whose lease expired.'),
    }),
    crmOutbox: outboxStatus,
    calendarOutbox: outboxStatus,
  })
  .meta({ id: 'Status' });

const crmSyncResource = z
  .object({
    leadId: z.string(),
    crmLeadId: z.string().nullable(),
    crmContactId: z.string().nullable(),
    syncedAt: instant.nullable().describe('When the sync last wrote the lead to the CRM; `null`: never.'),
    pending: z.number().int().describe('Changes still waiting to be written to the CRM.'),
    dead: z.number().int().describe('Changes given up on after their retries.'),
    entries: z
      .array(
        z.object({
          id: z.string(),
          type: z.string().describe('What changed: `lead.stage_changed`, `lead.note_added`, …'),
          status: z.enum(['pending', 'processing', 'done', 'dead']),
          attempts: z.number().int(),
          createdAt: instant,
          availableAt: instant,
          processedAt: instant.nullable(),
          lastError: z.object({ code: z.string(), message: z.string(), transient: z.boolean(), at: instant }).nullable(),
        }),
      )
      .describe('The lead’s latest CRM outbox entries (at most 20).'),
  })
  .meta({ id: 'CrmSync' });

const secondsBetween = (now: Date, then: Date | null): number =>
  then === null ? 0 : Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));

const maxEntries = 20;
const dayMs = 24 * 3_600_000;
const maxRangeDays = 62;

const appointmentsQuery = z.strictObject({
  from: instantSchema.describe('Start of the range (ISO-8601).'),
  to: instantSchema.describe(`End of the range (ISO-8601), at most ${maxRangeDays} days after \`from\`.`),
  status: appointmentStatusSchema.optional().describe('Only appointments in this status (default: `scheduled`).'),
});

/** The routes; see the module comment. */
export function createConsoleApiRoutes(options: ConsoleApiRoutesOptions): FastifyPluginAsync {
  const { store, clock, heartbeats } = options;
  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', app.sdrAuth.tenant);

    app.get(
      '/v1/tenant',
      { schema: { tags: ['tenant'], summary: 'The tenant of this API key', response: { 200: tenantResource, ...errorResponses } } },
      (request) => Promise.resolve(tenantOf(request)),
    );

    app.get(
      '/v1/status',
      {
        schema: {
          tags: ['operations'],
          summary: 'Workers’ heartbeats, and this tenant’s scheduler lag and outbox depth',
          response: { 200: statusResource, ...errorResponses },
        },
      },
      async (request) => {
        const tenantId = tenantOf(request).id;
        const now = clock.now();
        const [beats, scheduler, crm, calendar] = await Promise.all([
          heartbeats.list(),
          store.scheduledMessages.stats({ now, tenantId }),
          store.outbox.stats({ topic: 'crm', tenantId }),
          store.outbox.stats({ topic: 'calendar', tenantId }),
        ]);
        const outbox = (stats: typeof crm) => ({
          pending: stats.pending,
          dead: stats.dead,
          lagSeconds: secondsBetween(now, stats.oldestPendingAt),
        });
        return {
          now,
          workers: beats.map((beat) => ({ ...beat, ageSeconds: secondsBetween(now, beat.lastBeatAt) })),
          scheduler: {
            pending: scheduler.pending,
            duePending: scheduler.duePending,
            lagSeconds: secondsBetween(now, scheduler.oldestDueAt),
            sending: scheduler.sending,
            stuck: scheduler.stuck,
          },
          crmOutbox: outbox(crm),
          calendarOutbox: outbox(calendar),
        };
      },
    );

    app.get(
      '/v1/appointments',
      {
        schema: {
          tags: ['appointments'],
          summary: 'The tenant’s appointments on its calendar in a range, earliest first',
          querystring: appointmentsQuery,
          response: { 200: listSchema(appointmentResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const { from, to, status } = request.query;
        if (to.getTime() <= from.getTime()) throw ValidationError.forField('query.to', 'must be after from');
        if (to.getTime() - from.getTime() > maxRangeDays * dayMs) {
          throw ValidationError.forField('query.to', `must be at most ${maxRangeDays} days after from`);
        }
        const items = await store.appointments.listInRange(tenant.id, tenant.booking.calendarId, from, to, {
          statuses: [status ?? 'scheduled'],
        });
        return { items: [...items].sort((a, b) => a.start.getTime() - b.start.getTime()).map(toAppointmentResource) };
      },
    );

    app.get(
      '/v1/leads/:id/crm-sync',
      {
        schema: {
          tags: ['leads'],
          summary: 'The lead’s CRM sync state: last written, and what is still waiting',
          params: idParamsSchema,
          response: { 200: crmSyncResource, ...errorResponses },
        },
      },
      async (request) => {
        const tenantId = tenantOf(request).id;
        const lead = await store.leads.get(tenantId, request.params.id);
        if (lead === null) throw new NotFoundError('lead', request.params.id);
        const ofLead = { tenantId, topic: 'crm', aggregateId: lead.id } as const;
        const [state, waiting, dead, entries] = await Promise.all([
          store.syncStates.get(tenantId, lead.id),
          store.outbox.list({ ...ofLead, statuses: ['pending', 'processing'] }),
          store.outbox.list({ ...ofLead, statuses: ['dead'] }),
          store.outbox.list(ofLead),
        ]);
        // The list is in write order: the latest entries are its end.
        const latest = entries.slice(-maxEntries).reverse();
        return {
          leadId: lead.id,
          crmLeadId: state?.crmLeadId ?? lead.crmLeadId,
          crmContactId: lead.crmContactId,
          syncedAt: state?.syncedAt ?? null,
          pending: waiting.length,
          dead: dead.length,
          entries: latest.map((entry) => ({
            id: entry.id,
            type: entry.type,
            status: entry.status,
            attempts: entry.attempts,
            createdAt: entry.createdAt,
            availableAt: entry.availableAt,
            processedAt: entry.processedAt,
            lastError: entry.lastError,
          })),
        };
      },
    );
    return Promise.resolve();
  };
}
