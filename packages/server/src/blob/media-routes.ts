/**
 * `GET /v1/media/{blobId}`: a medium a lead sent (kept in the `BlobStore`), for the tenant whose
 * API key asks — the link the CRM note of an inbound medium carries. Another tenant's medium, or
 * one that does not exist, is a 404 alike.
 */
import { NotFoundError, type BlobStore } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import { tenantOf } from '../http/request-context.js';

/** The link of a stored medium (`ref` is `<tenantId>/<blobId>`) on the server at `publicBaseUrl`. */
export function mediaLink(publicBaseUrl: string): (ref: string) => string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return (ref) => `${base}/v1/media/${ref.slice(ref.indexOf('/') + 1)}`;
}

/** The route, as a Fastify plugin registered at the root; it authenticates tenants itself. */
export function createMediaRoutes(options: { readonly blobs: BlobStore }): FastifyPluginAsync {
  return (app) => {
    app.addHook('onRequest', app.sdrAuth.tenant);
    app.get<{ Params: { blobId: string } }>('/v1/media/:blobId', { schema: { hide: true } }, async (request, reply) => {
      const tenant = tenantOf(request);
      const found = await options.blobs.get(tenant.id, `${tenant.id}/${request.params.blobId}`);
      if (found === null) throw new NotFoundError('media', request.params.blobId);
      return reply.type(found.contentType).header('cache-control', 'private, max-age=86400').send(Buffer.from(found.data));
    });
    return Promise.resolve();
  };
}
