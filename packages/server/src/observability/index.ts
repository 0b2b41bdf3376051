/**
 * Observability of `@sdr/server` (SPEC §8): the Prometheus metrics and the port and booking
 * instrumentation that feed them, worker heartbeats, the built-in alert rules, and the
 * `/healthz`, `/readyz` and `/metrics` routes. The runtime composes them; nothing here decides
 * a business rule.
 */
export {
  createMetrics,
  type HttpRequestSample,
  type MessageOutcome,
  type Metrics,
  type MetricsOptions,
  type ProviderRequestSample,
} from './metrics.js';
export { instrumentPort, type InstrumentPortOptions, type InstrumentedPortKind } from './instrument-port.js';
export { instrumentBookingService } from './instrument-booking.js';
export { httpMetricsHook, httpMetricsPlugin } from './http-metrics.js';
export { createHeartbeats, defaultServerSchema, type Heartbeat, type Heartbeats, type HeartbeatsOptions } from './heartbeats.js';
export {
  builtInAlertKinds,
  createAlertEvaluator,
  dispatcherComponent,
  type AlertEvaluationReport,
  type AlertEvaluator,
  type AlertEvaluatorOptions,
  type AlertRef,
  type BuiltInAlertKind,
} from './alert-evaluator.js';
export { defaultAlertThresholds, resolveAlertThresholds, type AlertThresholds } from './alert-thresholds.js';
export {
  createProbeRoutes,
  type IntegrationReadiness,
  type ProbeRoutesOptions,
  type ReadinessCheckResult,
  type ReadinessChecks,
} from './probe-routes.js';
export { registerIntegrationGauge, type IntegrationHealthSample } from './integration-gauge.js';
