/**
 * `/v1/agent/settings` (tenant key): the persona of the tenant's built-in agent. `GET` answers
 * the settings in use (the defaults until they are set); `PUT` validates the whole settings
 * object (422 naming each bad field, nothing stored) and replaces them. Every process uses a
 * change within seconds.
 */
import { agentSettingsSchema } from '@sdr/agent';
import { ValidationError } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../http/request-context.js';
import { unprocessable } from '../integrations/integration-service.js';
import { errorResponses, problemSchema } from '../http/schemas/common.js';
import type { AgentSettingsStore } from './agent-settings-store.js';

const tags = ['agent'];

const settingsResource = z.object({
  settings: agentSettingsSchema.describe(
    'The persona: `enabled`, `name`, `company` (default: the tenant’s name), `goal`, `questions` (each with the lead `field` its answer fills), `tone`, `language` (default: the tenant’s locale), `facts`, `limits`.',
  ),
  version: z.number().int().describe('How many times the settings were set; `0`: never (the defaults).'),
  updatedAt: z.date().nullable().describe('When they were last set; `null`: never.'),
});

/** The routes, registered through `createHttpApp(context, { extraRoutes: [...] })`. */
export function createAgentSettingsRoutes(options: { readonly settings: AgentSettingsStore }): FastifyPluginAsync {
  const { settings } = options;
  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', app.sdrAuth.tenant);

    app.get(
      '/v1/agent/settings',
      {
        schema: {
          tags,
          summary: 'The agent settings (persona) of the tenant',
          response: { 200: settingsResource, ...errorResponses },
        },
      },
      async (request) => settings.get(tenantOf(request).id),
    );

    app.put(
      '/v1/agent/settings',
      {
        schema: {
          tags,
          summary: 'Set the agent settings (persona) of the tenant',
          description:
            'Replaces the settings with the body; a field left out takes its default. Validated first: 422 naming each bad field, nothing stored. The agent of every process uses the change within seconds.',
          body: agentSettingsSchema,
          response: { 200: settingsResource, 422: problemSchema, ...errorResponses },
        },
        // The body is validated by the store, whose refusal (well-formed JSON, unacceptable
        // settings) is a 422 naming each field; the schema above documents it.
        attachValidation: true,
      },
      async (request) => {
        try {
          return await settings.set(tenantOf(request).id, request.body);
        } catch (error) {
          if (!ValidationError.isInstance(error)) throw error;
          // A body that is not an object at all is named as the body.
          const named = error.fieldErrors.map((fieldError) => (fieldError.field === '' ? { ...fieldError, field: 'body' } : fieldError));
          throw unprocessable(new ValidationError(named));
        }
      },
    );
    return Promise.resolve();
  };
}
