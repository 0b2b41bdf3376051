/**
 * `GET /v1/leads/{id}/agent`: what the built-in agent did for a lead — its last turns (outcome,
 * tools used and their results, timings; no message text) and the slots it offered.
 */
import { NotFoundError } from '@sdr/core';
import type { AgentTurnStore } from '@sdr/agent';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { tenantOf } from '../http/request-context.js';
import { errorResponses, idParamsSchema } from '../http/schemas/common.js';

const turnResource = z.object({
  id: z.string(),
  startedAt: z.date(),
  finishedAt: z.date(),
  outcome: z.enum(['replied', 'skipped', 'handed_off', 'failed']),
  reason: z
    .string()
    .nullable()
    .describe('Why the turn was skipped or failed (`opted_out`, `handed_off`, `nothing_to_answer`, `timed out`…).'),
  attempts: z.number().int().describe('Model attempts (2 after a retry).'),
  steps: z.number().int(),
  toolCalls: z.array(z.object({ tool: z.string(), ok: z.boolean(), code: z.string().optional() })),
  replyMessageId: z.string().nullable(),
  modelMs: z.number().describe('Time spent waiting for the model, in ms.'),
  totalMs: z.number(),
});

const agentStateResource = z.object({
  leadId: z.string(),
  offeredSlots: z.array(z.date()).describe('Slots offered to the lead, newest first: the only ones the agent may book.'),
  turns: z.array(turnResource).describe('The latest turns, newest first.'),
});

/** The route, on the server's context and the agent's turn store. */
export function createAgentRoutes(options: { readonly context: ServerContext; readonly turns: AgentTurnStore }): FastifyPluginAsync {
  const { context, turns } = options;
  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', app.sdrAuth.tenant);
    app.get(
      '/v1/leads/:id/agent',
      {
        schema: {
          tags: ['leads'],
          summary: 'What the built-in agent did for this lead: its last turns and the slots it offered',
          params: idParamsSchema,
          response: { 200: agentStateResource, ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const lead = await context.store.leads.get(tenant.id, request.params.id);
        if (lead === null) throw new NotFoundError('lead', request.params.id);
        const [state, latest] = await Promise.all([turns.leadState(tenant.id, lead.id), turns.listTurns(tenant.id, lead.id, 20)]);
        return {
          leadId: lead.id,
          offeredSlots: [...state.offeredSlots],
          turns: latest.map((turn) => ({ ...turn, toolCalls: [...turn.toolCalls] })),
        };
      },
    );
    return Promise.resolve();
  };
}
