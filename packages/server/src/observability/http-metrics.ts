/**
 * HTTP request metrics: `sdr_http_requests_total{method,route,status}` and
 * `sdr_http_request_duration_seconds{method,route}`, recorded by an `onResponse` hook. The
 * route label is the matched template (`/v1/leads/:id`) or `unmatched` — never the URL, whose
 * ids and query strings would make the label set unbounded.
 *
 * `httpMetricsPlugin` is the hook packaged for `createHttpApp(context, { extraRoutes })`: it
 * opts out of Fastify's encapsulation (as `fastify-plugin` does), so its hook covers every route
 * of the app, those registered before it included (Fastify attaches hooks when the app is ready).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

/** The `onResponse` hook that records a request. */
export function httpMetricsHook(
  metrics: Pick<Metrics, 'recordHttpRequest'>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return (request, reply) => {
    metrics.recordHttpRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    });
    return Promise.resolve();
  };
}

/** A plugin adding `httpMetricsHook` to the whole app. */
export function httpMetricsPlugin(metrics: Pick<Metrics, 'recordHttpRequest'>): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = (app) => {
    app.addHook('onResponse', httpMetricsHook(metrics));
    return Promise.resolve();
  };
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}
