/**
 * The built-in agent in the server: on `message.received` the tenant's agent answers the lead.
 * The model comes from `modelFor(tenantId)` (see `createTenantModelResolver`: the tenant's `model`
 * integration, else `SDR_AGENT_*`, else the offline demo model). Turn records and offered slots are kept by an `AgentTurnStore`.
 */
import {
  createAgent,
  createInMemoryTurnStore,
  defaultAgentSettings,
  type Agent,
  type AgentSettings,
  type AgentTurnStore,
  type LanguageModelV3,
} from '@sdr/agent';
import { maskPersonalData, type Logger, type MessagingPort } from '@sdr/core';
import type { ServerContext } from '../context.js';
import type { ServerConfig } from '../runtime/config.js';

/** The agent as the server runs it. */
export interface ServerAgent {
  readonly agent: Agent;
  readonly turns: AgentTurnStore;
  /** Stops listening and waits for running turns. */
  close(): Promise<void>;
}

/** Starts the agent on the server's events and services. */
export function startServerAgent(input: {
  readonly context: ServerContext;
  /** The channel replies go out through: one port, or each tenant's own. */
  readonly messaging: MessagingPort | ((tenantId: string) => MessagingPort);
  readonly config: ServerConfig['agent'];
  readonly logger: Logger;
  /** The model of a tenant's agent. */
  readonly modelFor: (tenantId: string) => LanguageModelV3 | Promise<LanguageModelV3>;
  readonly settingsFor?: (tenantId: string) => AgentSettings | Promise<AgentSettings>;
  readonly turns?: AgentTurnStore;
}): ServerAgent {
  const { context, logger } = input;
  const turns = input.turns ?? createInMemoryTurnStore();
  const agent = createAgent({
    store: context.store,
    services: context.services,
    messaging: input.messaging,
    lock: context.lock,
    clock: context.clock,
    turns,
    logger,
    modelFor: input.modelFor,
    settingsFor: input.settingsFor ?? (() => defaultAgentSettings),
    debounceMs: input.config.debounceMs,
  });
  const onMessage = (event: { readonly tenantId: string; readonly leadId: string; readonly channel: string }) => {
    // What a caller says on the phone is answered on the call itself, never on WhatsApp.
    if (event.channel === 'voice') return;
    try {
      agent.notify({ tenantId: event.tenantId, leadId: event.leadId });
    } catch (error) {
      logger.error({ tenantId: event.tenantId, leadId: event.leadId, error: maskPersonalData(String(error)) }, 'agent notification failed');
    }
  };
  context.events.on('message.received', onMessage);
  return {
    agent,
    turns,
    async close() {
      context.events.off('message.received', onMessage);
      await agent.close();
    },
  };
}
