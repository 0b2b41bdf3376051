/**
 * `/console/`: the operators' web console, served from its built assets with `@fastify/static`.
 *
 * - Hashed assets (`/console/assets/*`) are immutable: cached for a year.
 * - `index.html` is revalidated on every load (`no-cache`), so a new build is picked up at once.
 * - Any other path under `/console/` without a file extension is a view of the single-page app
 *   and gets `index.html` (the SPA fallback); a missing file with an extension is a plain 404.
 * - The page may run only its own scripts and talk only to this server (a strict
 *   Content-Security-Policy): the console holds an API key for the browser session.
 *
 * When the console was not built, `/console/` answers 503 with a problem saying how to build it.
 */
import { basename, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../http/logging.js';
import { problem, problemContentType } from '../http/problem.js';

/** Options of `createConsoleStaticRoutes`. */
export interface ConsoleStaticRoutesOptions {
  /** The built console (`findConsoleAssets()`); `null` when it is not built. */
  readonly root: string | null;
}

/** The path the console is served under. */
export const consolePath = '/console/';

const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

/** Headers of every console response: the page runs its own code only and is never framed. */
const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function withSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers(securityHeaders);
}

/** `true` for paths of the app's views (no file extension in the last segment). */
function isViewPath(url: string): boolean {
  const last = pathOf(url).split('/').pop() ?? '';
  return !last.includes('.');
}

function notFound(request: FastifyRequest, reply: FastifyReply, detail: string, status = 404, code = 'route_not_found') {
  const body = problem({ instance: pathOf(request.url), requestId: request.id }, { status, code, detail });
  return reply.code(status).type(problemContentType).send(body);
}

/** The console routes; see the module comment. */
export function createConsoleStaticRoutes(options: ConsoleStaticRoutesOptions): FastifyPluginAsync {
  const { root } = options;
  return async (app) => {
    app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect(consolePath, 301));
    if (root === null) {
      app.get('/console/*', { schema: { hide: true } }, async (request, reply) =>
        notFound(
          request,
          reply,
          'the console is not built on this server: run `pnpm build` (or `pnpm start`, which builds it) and restart',
          503,
          'console_not_built',
        ),
      );
      return;
    }
    await app.register(
      async (scope) => {
        await scope.register(fastifyStatic, {
          root,
          prefix: '/',
          index: ['index.html'],
          cacheControl: false,
          etag: true,
          lastModified: true,
          setHeaders(response, filePath) {
            for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
            response.setHeader('cache-control', filePath.includes(`${sep}assets${sep}`) ? immutable : revalidate);
          },
        });
        scope.setNotFoundHandler(async (request, reply) => {
          if ((request.method === 'GET' || request.method === 'HEAD') && isViewPath(request.url)) {
            return withSecurityHeaders(reply).header('cache-control', revalidate).sendFile('index.html');
          }
          return notFound(request, reply, `no file ${basename(pathOf(request.url))} in the console`);
        });
      },
      { prefix: '/console' },
    );
  };
}
