/**
 * Kommo's webhooks in the server: the route, and the deliveries it accepted being applied after
 * the answer. Each accepted delivery runs on its own; `idle()` waits for those under way (tests,
 * shutdown). A delivery that fails is logged and dropped: the CRM reconciler finds the drift later.
 */
import type { ParsedKommoWebhook } from '@sdr/adapter-kommo';
import type { FastifyPluginAsync } from 'fastify';
import { applyKommoDelivery, type KommoDeliveryDeps } from './kommo-delivery.js';
import { createKommoWebhookRoutes } from './kommo-webhook-route.js';
import { kommoWebhookSettings, type ConfiguredCrmOf } from './kommo-webhook-settings.js';

/** The route and its background work. */
export interface KommoIngest {
  readonly routes: FastifyPluginAsync;
  /** Resolves when every accepted delivery has been applied (or has failed). */
  idle(): Promise<void>;
}

/** Wires the route on the tenants' CRM integrations. */
export function createKommoIngest(deps: KommoDeliveryDeps & { readonly configurationOf: ConfiguredCrmOf }): KommoIngest {
  const running = new Set<Promise<void>>();
  const accept = (input: { readonly tenantId: string; readonly delivery: ParsedKommoWebhook }): void => {
    const work = applyKommoDelivery(deps, input).then(
      () => undefined,
      (error: unknown) => {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        deps.logger.error({ tenantId: input.tenantId, error: { name, message } }, 'Kommo webhook not applied');
      },
    );
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  return {
    routes: createKommoWebhookRoutes({ settingsFor: kommoWebhookSettings(deps.configurationOf), accept, logger: deps.logger }),
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
