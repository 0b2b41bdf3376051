import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// The workspace root depends on no package: the sources are imported by path.
import { createDomainEvents, systemClock } from '../../packages/core/src/index.js';
import { createInMemoryStore } from '../../packages/core/src/testing/index.js';
import type { Heartbeats } from '../../packages/server/src/observability/heartbeats.js';
import { createMetrics } from '../../packages/server/src/observability/metrics.js';

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../grafana-dashboard.json', import.meta.url), 'utf8')) as {
  readonly uid: string;
  readonly panels: readonly Panel[];
};

/** The metric names the server registers, prom-client's process metrics included, read from a real registry. */
function registeredMetrics(): Set<string> {
  const unused = () => Promise.reject(new Error('not read: the registry is only listed'));
  const heartbeats: Heartbeats = { beat: unused, list: unused, latest: unused, forget: unused };
  const metrics = createMetrics({ store: createInMemoryStore(), clock: systemClock, events: createDomainEvents(), heartbeats });
  try {
    return new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
  } finally {
    metrics.close();
  }
}

/** The metric names a PromQL expression reads (histogram series named by their metric). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:sdr|process|nodejs)_[a-z0-9_]+)\b/g)].map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ''));
}

describe('deploy/grafana-dashboard.json', () => {
  const registered = registeredMetrics();
  const queried = new Set(dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricsIn(target.expr))));

  it('queries only metrics the server registers', () => {
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !registered.has(name))).toEqual([]);
  });

  it("shows every one of the server's own metrics", () => {
    const own = [...registered].filter((name) => name.startsWith('sdr_'));
    expect(own.length).toBeGreaterThanOrEqual(14);
    expect(own.filter((name) => !queried.has(name))).toEqual([]);
  });

  it('gives every graph a title and a query', () => {
    const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(graphs.filter((panel) => panel.title === '' || (panel.targets ?? []).length === 0)).toEqual([]);
    expect(dashboard.uid).toBe('sdr-server');
  });
});
