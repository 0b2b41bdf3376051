/**
 * The sandbox adapters of the embedded default — a WhatsApp channel, a CRM board, a calendar and
 * a virtual clock, all persisted in the server's schema so restarts and every process agree —
 * and the `/v1/sandbox` routes that let a newcomer act as the lead and watch what happens. The
 * adapters are also plugins of provider `sandbox` (`createSandboxPlugins`), for the per-tenant
 * wiring to build like any vendor's.
 */
export { createSandboxCalendar, sandboxCalendarProvider, type SandboxCalendarOptions } from './sandbox-calendar.js';
export {
  createSandboxClock,
  maxSandboxAdvanceMs,
  sandboxClockOffsetKey,
  type SandboxClock,
  type SandboxClockOptions,
} from './sandbox-clock.js';
export { createSandboxCrm, sandboxCrmProvider, type SandboxCrm, type SandboxCrmOptions } from './sandbox-crm.js';
export type { SandboxBoardLead, SandboxBoardNote } from './sandbox-crm-board.js';
export { sandboxCustomFieldIds, sandboxPipeline, sandboxPipelineId, sandboxStageMapping } from './sandbox-crm-pipeline.js';
export {
  createSandboxMessaging,
  sandboxMessagingProvider,
  type SandboxMediaRecord,
  type SandboxMessageQuery,
  type SandboxMessaging,
  type SandboxMessagingOptions,
  type SandboxSentMessage,
} from './sandbox-messaging.js';
export { createSandboxRoutes, type SandboxPorts, type SandboxRoutesOptions } from './sandbox-routes.js';
export { createSandboxPlugins, sandboxConfigSchema, type SandboxPluginOptions, type SandboxPlugins } from './sandbox-plugins.js';
