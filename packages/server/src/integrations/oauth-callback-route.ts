/**
 * `GET /oauth/{provider}/callback`: where a provider sends the person who connected an account,
 * with `code` and `state` (or `error`). No API key: the signed, single-use state authenticates the
 * request and names the tenant. The answer is a small HTML page saying the account is connected,
 * or why not — a JSON document (the integration, or a problem) when the client asks for JSON.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ValidationError, classifyError, type Logger } from '@sdr/core';
import { pathOf } from '../http/logging.js';
import { problemContentType, problemFor } from '../http/problem.js';
import type { OAuthService } from './oauth-service.js';

interface CallbackQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly error_description?: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function page(title: string, message: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  ].join('\n');
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The route, registered at the root (it authenticates through the state). */
export function createOAuthCallbackRoutes(options: { readonly oauth: OAuthService; readonly logger: Logger }): FastifyPluginAsync {
  const { oauth, logger } = options;
  return (app) => {
    app.get<{ Params: { provider: string }; Querystring: CallbackQuery }>(
      '/oauth/:provider/callback',
      { schema: { hide: true } },
      async (request, reply): Promise<FastifyReply> => {
        const wantsJson = /\bapplication\/(?:[\w.+-]+\+)?json\b/i.test(request.headers.accept ?? '');
        const { provider } = request.params;
        try {
          const denied = text(request.query.error);
          if (denied !== undefined) {
            const why = text(request.query.error_description) ?? denied;
            throw ValidationError.forField('error', `${provider} did not authorize the connection: ${why.slice(0, 300)}`);
          }
          const code = text(request.query.code);
          const state = text(request.query.state);
          if (code === undefined) throw ValidationError.forField('code', 'is required (the provider’s authorization code)');
          if (state === undefined) throw ValidationError.forField('state', 'is required (the state the connection was started with)');
          const connected = await oauth.callback({ provider, code, state });
          logger.info({ tenantId: connected.tenantId, kind: connected.integration.kind, provider }, 'integration connected by OAuth');
          if (wantsJson) return await reply.code(200).send({ status: 'connected', ...connected });
          return await reply
            .code(200)
            .type('text/html; charset=utf-8')
            .send(page('Connected', `The ${provider} account is connected (${connected.integration.kind}). You can close this page.`));
        } catch (error) {
          const { problem, headers } = problemFor(error, { instance: pathOf(request.url), requestId: request.id });
          if (problem.status >= 500)
            logger.error({ provider, error: classifyError(error).message, requestId: request.id }, 'OAuth callback failed');
          else logger.warn({ provider, reason: problem.detail }, 'OAuth callback refused');
          reply.code(problem.status).headers(headers);
          if (wantsJson) return reply.type(problemContentType).send(problem);
          return reply
            .type('text/html; charset=utf-8')
            .send(page('Not connected', `The ${provider} account was not connected: ${problem.detail}`));
        }
      },
    );
    return Promise.resolve();
  };
}
