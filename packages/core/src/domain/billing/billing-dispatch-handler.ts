/**
 * The `DispatchHandler` of `billing_step` messages: just before a reminder goes out it checks
 * that the cycle is still `active`, the contact still exists and has not opted out, and renders
 * the text from the cycle as it is now (a corrected amount shows) with the variation planned at
 * import. Once a step is settled — sent, skipped or failed — the cycle completes if it was the
 * last one.
 */
import type { DispatchContext, DispatchDecision, DispatchHandler } from '../dispatch/dispatch-handler.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { resolveTemplate } from '../templates/resolve-template.js';
import { completeBillingCycleIfSettled } from './billing-lifecycle.js';
import { genericBillingTemplateKey } from './billing-planner.js';
import { billingMessageVariables, renderBillingMessage } from './billing-render.js';

/** Options of `createBillingDispatchHandler`. */
export interface BillingDispatchHandlerOptions {
  /** Receives `billing.cycle_completed`. */
  readonly events?: DomainEvents | undefined;
}

/** The handler the dispatcher registers for `billing_step`. */
export function createBillingDispatchHandler(options: BillingDispatchHandlerOptions = {}): DispatchHandler {
  return {
    kinds: ['billing_step'],

    async prepare(message: ScheduledMessage, context: DispatchContext): Promise<DispatchDecision> {
      const { store, tenant } = context;
      const cycle = message.billingCycleId === null ? null : await store.billingCycles.get(tenant.id, message.billingCycleId);
      if (!cycle || cycle.status !== 'active') return { action: 'skip', reason: 'cycle_inactive' };
      const contact = await store.contacts.get(tenant.id, message.contactId ?? cycle.contactId);
      if (!contact) return { action: 'skip', reason: 'recipient_missing' };
      if (contact.optedOut) return { action: 'skip', reason: 'opted_out' };

      const step =
        textOf(message.payload.step) ?? cycle.steps.find((planned) => planned.scheduledMessageId === message.id)?.step ?? message.id;
      const template = await resolveTemplate({
        templates: store.templates,
        tenantId: tenant.id,
        key: message.templateKey ?? genericBillingTemplateKey,
        fallbackKey: genericBillingTemplateKey,
        locale: tenant.locale,
      });
      const { text } = renderBillingMessage({
        template,
        seed: `${cycle.id}:${step}`,
        variationId: textOf(message.payload.variationId),
        variables: billingMessageVariables({
          customerName: contact.name,
          businessName: tenant.name,
          amount: cycle.amount,
          currency: cycle.currency,
          dueDate: cycle.dueDate,
          externalBillingId: cycle.externalBillingId,
          locale: tenant.locale,
        }),
      });
      return { action: 'send', to: contact.phone, text, instance: tenant.messaging.instance, businessHours: 'respect' };
    },

    async onSettled(message: ScheduledMessage, _outcome, context: DispatchContext): Promise<void> {
      if (message.billingCycleId === null) return;
      await completeBillingCycleIfSettled(
        { store: context.store, events: options.events },
        { tenantId: context.tenant.id, billingCycleId: message.billingCycleId, now: context.now },
      );
    },
  };
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
