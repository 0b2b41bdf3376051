/**
 * `sdr_integration_up{kind,provider}`: per kind and provider, how many tenants have a configured
 * integration whose last health check was `up` (0 when every tenant's is down, degraded or not
 * checked yet). Read at scrape time from this process's view of the integrations, which follows
 * every process's checks: each process reports the same numbers.
 */
import type { PluginKind, PortHealth } from '@sdr/core';
import { Gauge, type Registry } from 'prom-client';

/** A configured integration and its last health, as the gauge reads it. */
export interface IntegrationHealthSample {
  readonly kind: PluginKind;
  readonly provider: string;
  readonly health: PortHealth | null;
}

/** Registers the gauge on `registry`, reading `configured()` at each scrape. */
export function registerIntegrationGauge(registry: Registry, configured: () => Iterable<IntegrationHealthSample>): void {
  new Gauge({
    name: 'sdr_integration_up',
    help: 'Tenants whose configured integration of this kind and provider was up at its last health check',
    labelNames: ['kind', 'provider'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, { kind: string; provider: string; up: number }>();
      for (const sample of configured()) {
        const key = `${sample.kind}\u0000${sample.provider}`;
        const entry = counts.get(key) ?? { kind: sample.kind, provider: sample.provider, up: 0 };
        if (sample.health?.status === 'up') entry.up += 1;
        counts.set(key, entry);
      }
      for (const { kind, provider, up } of counts.values()) this.set({ kind, provider }, up);
    },
  });
}
