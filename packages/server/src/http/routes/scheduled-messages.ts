/** `/v1/scheduled-messages/{id}/explain`: why a follow-up, reminder or billing message exists. */
import { NotFoundError, jsonValueSchema } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, idParamsSchema } from '../schemas/common.js';
import { scheduledMessageResource, toScheduledMessageResource } from '../schemas/resources.js';
import { explainInWords } from './explain-text.js';

/** The scheduled-message routes. */
export function scheduledMessageRoutes(context: ServerContext): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    app.get(
      '/scheduled-messages/:id/explain',
      {
        schema: {
          tags: ['scheduled messages'],
          summary: 'Why a scheduled message exists and is due when it is',
          params: idParamsSchema,
          response: {
            200: z.object({
              scheduledMessage: scheduledMessageResource,
              text: z.string().describe('The explanation for a person, times in the tenant’s zone.'),
              lines: z.array(z.string()),
              explanation: jsonValueSchema
                .nullable()
                .describe('The explanation stored when the message was scheduled (rule, inputs, shifts).'),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const message = await context.store.scheduledMessages.get(tenant.id, request.params.id);
        if (message === null) throw new NotFoundError('scheduled message', request.params.id);
        const lines = explainInWords(message, tenant);
        return { scheduledMessage: toScheduledMessageResource(message), text: lines.join('\n'), lines, explanation: message.explanation };
      },
    );
    done();
  };
}
