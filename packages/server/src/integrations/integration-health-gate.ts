/**
 * Channel gating by integration health: the dispatcher asks a tenant's WhatsApp port for its
 * health before sending (core's channel-health gate), and a port that reports `down` gets no send
 * attempts — its scheduled messages wait, they are not failed. This wrapper makes that answer
 * `down` while the last stored check of the tenant's configured integration (by any process:
 * the periodic checks, or `POST /v1/integrations/whatsapp/check`) is `down`, so every process
 * holds the tenant's sends as soon as one of them saw the failure; otherwise it asks the port.
 *
 * A stored result older than `maxAgeMs` is not trusted (the checks stopped): the port is asked.
 * The checks themselves go to the unwrapped port, so that a recovery is seen.
 */
import type { MessagingPort, PluginKind, PortHealth } from '@sdr/core';

/** Options of `createIntegrationHealthGate`. */
export interface IntegrationHealthGateOptions {
  /** The last stored check of the tenant's current integration of `kind` (`null`: none). */
  readonly healthOf: (tenantId: string, kind: PluginKind) => PortHealth | null;
  readonly clock: { now(): Date };
  readonly maxAgeMs: number;
}

/** Wraps a tenant's WhatsApp port (see the module comment); one wrapper per port, reused. */
export function createIntegrationHealthGate(
  options: IntegrationHealthGateOptions,
): (tenantId: string, messaging: MessagingPort) => MessagingPort {
  const wrapped = new WeakMap<MessagingPort, Map<string, MessagingPort>>();
  const gate = (tenantId: string, messaging: MessagingPort): MessagingPort => {
    const health: MessagingPort['health'] = async (query, callOptions) => {
      const stored = options.healthOf(tenantId, 'whatsapp');
      if (stored?.status === 'down' && options.clock.now().getTime() - stored.checkedAt.getTime() <= options.maxAgeMs) {
        return { ...stored, detail: `the last integration check failed: ${stored.detail ?? 'down'}` };
      }
      return messaging.health(query, callOptions);
    };
    return new Proxy(messaging, {
      get(target, property, receiver) {
        if (property === 'health') return health;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return (tenantId, messaging) => {
    let byTenant = wrapped.get(messaging);
    if (byTenant === undefined) {
      byTenant = new Map();
      wrapped.set(messaging, byTenant);
    }
    let port = byTenant.get(tenantId);
    if (port === undefined) {
      port = gate(tenantId, messaging);
      byTenant.set(tenantId, port);
    }
    return port;
  };
}
