/** `/v1/alerts` (the tenant's open alerts) and `/v1/templates` (list, and save one by key and locale). */
import { localeSchema, scheduledKindSchema, templateSchema, templateVariationSchema } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, listSchema } from '../schemas/common.js';
import { alertResource, templateResource, toAlertResource, toTemplateResource } from '../schemas/resources.js';
import { underField } from '../validation.js';

const templateParams = z.strictObject({ key: templateSchema.shape.key, locale: localeSchema });

const saveTemplateBody = z.strictObject({
  kind: scheduledKindSchema.optional().describe('The kind of message; inferred from the key when it tells (`reengage_1`, `billing_…`).'),
  variations: z.array(templateVariationSchema).min(1).max(50),
  variables: templateSchema.shape.variables.describe('The variables the bodies use; each must be one the kind can fill.'),
  expectedVersion: z.number().int().nonnegative().optional().describe('The version read: saving over a newer one is a 409.'),
});

/** The alert and template routes. */
export function alertAndTemplateRoutes(context: ServerContext): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    app.get(
      '/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: 'The tenant’s open alerts, newest first',
          response: { 200: listSchema(alertResource), ...errorResponses },
        },
      },
      async (request) => {
        const alerts = await context.store.alerts.listOpen({ tenantId: tenantOf(request).id });
        return { items: alerts.map(toAlertResource) };
      },
    );

    app.get(
      '/templates',
      {
        schema: {
          tags: ['templates'],
          summary: 'The tenant’s message templates',
          response: { 200: listSchema(templateResource), ...errorResponses },
        },
      },
      async (request) => {
        const templates = await context.store.templates.list(tenantOf(request).id);
        return { items: templates.map(toTemplateResource) };
      },
    );

    app.put(
      '/templates/:key/:locale',
      {
        schema: {
          tags: ['templates'],
          summary: 'Save a template (insert, or replace the one with this key and locale)',
          description: 'A template whose variables its kind cannot fill is refused: no message ever goes out with a raw `{{placeholder}}`.',
          params: templateParams,
          body: saveTemplateBody,
          response: { 200: templateResource, ...errorResponses },
        },
      },
      async (request) => {
        const { kind, variations, variables, expectedVersion } = request.body;
        const template = await underField('body', () =>
          context.services.templates.save({
            tenantId: tenantOf(request).id,
            key: request.params.key,
            locale: request.params.locale,
            kind,
            variations,
            variables,
            expectedVersion,
          }),
        );
        return toTemplateResource(template);
      },
    );
    done();
  };
}
