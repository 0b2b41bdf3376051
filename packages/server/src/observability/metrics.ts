/**
 * `createMetrics`: the Prometheus registry behind `/metrics` (SPEC §8). Counters follow the
 * domain events and the instrumented ports; gauges are read from the store at scrape time
 * (`scrape-gauges.ts`), so that every process reports the same global numbers whoever did the work.
 *
 * Label values are bounded: scheduled kinds, channels, provider names, port method names, error
 * codes, route templates — never a URL, a phone number, a tenant or a lead.
 *
 * `sdr_messages_total{kind,channel,outcome}` counts messages that reached an outcome: `sent`,
 * `skipped`, `cancelled`, and `failed` only when the failure is final (a retried attempt is not a
 * message's outcome; provider errors count attempts). The events carry no channel, so the
 * channel is read from the scheduled message's row (one primary-key read per outcome); when that
 * read fails the channel is `unknown`.
 */
import {
  channels,
  classifyError,
  noopLogger,
  type Channel,
  type Clock,
  type DomainEventListeners,
  type DomainEvents,
  type Logger,
  type ScheduledKind,
  type Store,
} from '@sdr/core';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Heartbeats } from './heartbeats.js';
import { registerScrapeGauges } from './scrape-gauges.js';

/** How a message ended, as `sdr_messages_total` labels it. */
export type MessageOutcome = 'sent' | 'skipped' | 'failed' | 'cancelled';

/** One call through an instrumented port. */
export interface ProviderRequestSample {
  /** `messaging`, `crm` or `calendar`. */
  readonly kind: string;
  /** The adapter's `provider` (`kommo`, `evolution`, …). */
  readonly provider: string;
  /** The port method (`sendText`, `getLead`, …). */
  readonly operation: string;
  /** `aborted`: the caller's signal gave the call up — not the provider's failure, not counted as an error. */
  readonly outcome: 'success' | 'error' | 'aborted';
  readonly durationSeconds: number;
  /** The classified error code when `outcome` is `error`. */
  readonly code?: string;
}

/** One answered HTTP request. */
export interface HttpRequestSample {
  readonly method: string;
  /** The route template (`/v1/leads/:id`), or `unmatched`: never the URL. */
  readonly route: string;
  readonly status: number;
  readonly durationSeconds: number;
}

/** The registry and the recorders the instrumentation writes through. */
export interface Metrics {
  readonly registry: Registry;
  /** The content type of `render()`'s text. */
  readonly contentType: string;
  /** The registry in the Prometheus text format (reads the scrape-time gauges). */
  render(): Promise<string>;
  recordProviderRequest(sample: ProviderRequestSample): void;
  recordBookingConflict(): void;
  recordHttpRequest(sample: HttpRequestSample): void;
  /** Resolves once the message outcomes seen so far are counted (their channel reads done). */
  settled(): Promise<void>;
  /** Stops listening to the domain events. */
  close(): void;
}

/** Options of `createMetrics`. */
export interface MetricsOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly events: DomainEvents;
  /** The registry to fill (default: a new one). */
  readonly registry?: Registry;
  /** Enables the heartbeat age gauge. */
  readonly heartbeats?: Heartbeats;
  readonly logger?: Logger;
  /** Registers prom-client's process metrics (CPU, memory, event loop); default `true`. */
  readonly defaultMetrics?: boolean;
}

const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const providerBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const knownChannels: ReadonlySet<string> = new Set<string>(channels);

/** Creates the registry and starts counting the domain events; see the module comment. */
export function createMetrics(options: MetricsOptions): Metrics {
  const { store, clock, events } = options;
  const logger = options.logger ?? noopLogger;
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const messages = new Counter({
    name: 'sdr_messages_total',
    help: 'Scheduled messages by kind, channel and outcome',
    labelNames: ['kind', 'channel', 'outcome'] as const,
    registers: [registry],
  });
  const providerDuration = new Histogram({
    name: 'sdr_provider_request_duration_seconds',
    help: 'Duration of calls to external providers through the ports',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    buckets: providerBuckets,
    registers: [registry],
  });
  const providerErrors = new Counter({
    name: 'sdr_provider_errors_total',
    help: 'Calls to external providers that failed, by error code',
    labelNames: ['provider', 'operation', 'code'] as const,
    registers: [registry],
  });
  const bookingConflicts = new Counter({
    name: 'sdr_booking_conflicts_total',
    help: 'Bookings and reschedules refused because the slot was taken',
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'sdr_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'sdr_http_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: httpBuckets,
    registers: [registry],
  });
  registerScrapeGauges(registry, { store, clock, logger, heartbeats: options.heartbeats });

  const pending = new Set<Promise<void>>();
  const countOutcome = (
    event: { readonly tenantId: string; readonly scheduledMessageId: string; readonly kind: ScheduledKind },
    outcome: MessageOutcome,
  ) => {
    const counted = channelOf(store, event.tenantId, event.scheduledMessageId)
      .catch((error: unknown): 'unknown' => {
        logger.warn(
          { scheduledMessageId: event.scheduledMessageId, error: classifyError(error).message },
          'could not read the channel of a message outcome',
        );
        return 'unknown';
      })
      .then((channel) => {
        messages.inc({ kind: event.kind, channel, outcome });
      })
      .finally(() => pending.delete(counted));
    pending.add(counted);
  };

  const onSent: DomainEventListeners['scheduled.sent'] = (event) => countOutcome(event, 'sent');
  const onSkipped: DomainEventListeners['scheduled.skipped'] = (event) => countOutcome(event, 'skipped');
  const onCancelled: DomainEventListeners['scheduled.cancelled'] = (event) => countOutcome(event, 'cancelled');
  const onFailed: DomainEventListeners['scheduled.failed'] = (event) => {
    if (event.final) countOutcome(event, 'failed');
  };
  events.on('scheduled.sent', onSent);
  events.on('scheduled.skipped', onSkipped);
  events.on('scheduled.cancelled', onCancelled);
  events.on('scheduled.failed', onFailed);

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    recordProviderRequest(sample) {
      providerDuration.observe({ provider: sample.provider, operation: sample.operation, outcome: sample.outcome }, sample.durationSeconds);
      if (sample.outcome === 'error') {
        providerErrors.inc({ provider: sample.provider, operation: sample.operation, code: sample.code ?? 'unknown' });
      }
    },
    recordBookingConflict() {
      bookingConflicts.inc();
    },
    recordHttpRequest(sample) {
      httpRequests.inc({ method: sample.method, route: sample.route, status: String(sample.status) });
      httpDuration.observe({ method: sample.method, route: sample.route }, sample.durationSeconds);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close() {
      events.off('scheduled.sent', onSent);
      events.off('scheduled.skipped', onSkipped);
      events.off('scheduled.cancelled', onCancelled);
      events.off('scheduled.failed', onFailed);
    },
  };
}

async function channelOf(store: Store, tenantId: string, scheduledMessageId: string): Promise<Channel | 'unknown'> {
  const row = await store.scheduledMessages.get(tenantId, scheduledMessageId);
  return row !== null && knownChannels.has(row.channel) ? row.channel : 'unknown';
}
