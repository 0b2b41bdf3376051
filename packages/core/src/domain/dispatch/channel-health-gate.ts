/**
 * Channel-health gating (SPEC §4.6): before sending through a channel instance the dispatcher
 * asks whether it can send. An instance that is down gets **no send attempts** — its messages go
 * back to `pending` without counting one — so an outage never burns a message's attempts; an
 * outage longer than `alertAfterMs` raises a critical `channel_down` alert per tenant, resolved
 * when the instance is up again.
 *
 * Answers are cached per instance for `cacheMs` (a batch of 100 rows asks once, not 100 times).
 * A health check that fails counts as down: sending through an instance that cannot even report
 * its state would spend attempts for nothing, and the alert makes the outage visible. Outages are
 * tracked in memory: after a restart one is timed from its first observation by this process.
 */
import { classifyError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { PortHealth } from '../../ports/health.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { MessagingPort } from '../../ports/messaging/messaging-port.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { ChannelHealthOptions } from './dispatcher-options.js';
import { raiseAlert, resolveAlert } from '../events/alert-events.js';
import { describeError } from './emit-safely.js';

/** The kind of the alert raised for an instance that stays down. */
export const channelDownAlertKind = 'channel_down';

/** Whether an instance may be sent through now. */
interface ChannelGateAnswer {
  readonly open: boolean;
  readonly detail?: string;
}

/** Decides, per channel instance, whether sends may be attempted. */
export interface ChannelHealthGate {
  /** Whether `instance` can send now; raises or resolves the `tenantId`'s alert on the way. */
  check(input: { readonly instance: string; readonly tenantId: string }): Promise<ChannelGateAnswer>;
  /** Forgets the cached answer for `instance` (of `tenantId`), so that the next send asks again (after a send failed). */
  invalidate(instance: string, tenantId: string): void;
}

interface Probe {
  readonly startedAt: number;
  readonly health: Promise<PortHealth>;
}

interface Outage {
  readonly since: Date;
  readonly detail: string | undefined;
  /** Tenants whose alert this outage already raised (once each, not once per message). */
  readonly alerted: Set<string>;
}

/** Creates the gate; it keeps its cache and outages for as long as the dispatcher lives. */
export function createChannelHealthGate(options: {
  /** One channel for every tenant, or the tenant's own by tenant id (then instances are the tenant's: cached per tenant). */
  readonly messaging: MessagingPort | ((tenantId: string) => MessagingPort);
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: ChannelHealthOptions;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
}): ChannelHealthGate {
  const { messaging, clock, settings, logger } = options;
  const probes = new Map<string, Probe>();
  const outages = new Map<string, Outage>();
  // `tenant|instance` pairs known to have no open alert: an instance that is up resolves the
  // alert of each pair once (also one left open by a previous process), then stays quiet.
  const quietPairs = new Set<string>();

  // With a channel per tenant, tenants' instances of the same name are different instances.
  const channelKey = (instance: string, tenantId: string) => (typeof messaging === 'function' ? `${tenantId}\u0000${instance}` : instance);
  const probe = (instance: string, tenantId: string): Promise<PortHealth> => {
    const now = clock.now().getTime();
    const key = channelKey(instance, tenantId);
    const cached = probes.get(key);
    if (cached !== undefined && now - cached.startedAt < settings.cacheMs) return cached.health;
    const port = typeof messaging === 'function' ? messaging(tenantId) : messaging;
    const health = port.health({ instance }).then(
      (answer) => answer,
      (error: unknown): PortHealth => ({
        status: 'down',
        detail: `health check failed: ${classifyError(error).message}`,
        checkedAt: clock.now(),
      }),
    );
    probes.set(key, { startedAt: now, health });
    return health;
  };

  const raise = async (instance: string, tenantId: string, outage: Outage): Promise<void> => {
    if (outage.alerted.has(tenantId)) return;
    outage.alerted.add(tenantId);
    quietPairs.delete(`${tenantId}|${instance}`);
    const now = clock.now();
    const message = `channel instance ${instance} has been down since ${outage.since.toISOString()}`;
    try {
      // The alert and its `alert.raised` deliveries commit together.
      const { opened } = await raiseAlert(options, {
        tenantId,
        kind: channelDownAlertKind,
        key: instance,
        severity: 'critical',
        message: outage.detail === undefined ? message : `${message}: ${outage.detail}`,
        details: { instance, since: outage.since.toISOString(), ...(outage.detail === undefined ? {} : { detail: outage.detail }) },
        now,
      });
      if (opened) logger.error({ tenantId, instance, since: outage.since.toISOString() }, 'channel instance down: alert raised');
    } catch (error) {
      outage.alerted.delete(tenantId);
      logger.error({ tenantId, instance, error: describeError(error) }, 'could not raise the channel_down alert');
    }
  };

  const resolve = async (instance: string, tenantId: string): Promise<void> => {
    const pair = `${tenantId}|${instance}`;
    if (quietPairs.has(pair)) return;
    quietPairs.add(pair);
    const now = clock.now();
    try {
      const resolved = await resolveAlert(options, { tenantId, kind: channelDownAlertKind, key: instance, now });
      if (resolved !== null) logger.info({ tenantId, instance }, 'channel instance up again: alert resolved');
    } catch (error) {
      quietPairs.delete(pair);
      logger.error({ tenantId, instance, error: describeError(error) }, 'could not resolve the channel_down alert');
    }
  };

  return {
    check: async ({ instance, tenantId }) => {
      const health = await probe(instance, tenantId);
      const key = channelKey(instance, tenantId);
      if (health.status !== 'down') {
        const outage = outages.get(key);
        if (outage !== undefined) {
          outages.delete(key);
          logger.info({ instance, since: outage.since.toISOString() }, 'channel instance is up again');
          await Promise.all([...outage.alerted].map((alertedTenant) => resolve(instance, alertedTenant)));
        }
        await resolve(instance, tenantId);
        return { open: true };
      }
      let outage = outages.get(key);
      if (outage === undefined) {
        outage = { since: clock.now(), detail: health.detail, alerted: new Set() };
        outages.set(key, outage);
        logger.warn({ instance, detail: health.detail }, 'channel instance is down: holding its messages');
      }
      if (clock.now().getTime() - outage.since.getTime() >= settings.alertAfterMs) await raise(instance, tenantId, outage);
      return { open: false, ...(health.detail === undefined ? {} : { detail: health.detail }) };
    },
    invalidate: (instance, tenantId) => {
      probes.delete(channelKey(instance, tenantId));
    },
  };
}
