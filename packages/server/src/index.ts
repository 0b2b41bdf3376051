/**
 * `@sdr/server`: the reference server (a composition root) and the `sdr` command line.
 * @packageDocumentation
 */
export { runCli } from './cli/run-cli.js';
export { exitCodes, type CliCommand, type CliIo } from './cli/command.js';
export { commands } from './cli/commands.js';
export * from './http/index.js';
export { loadConfig, configVariables, roles, type Role, type ServerConfig } from './runtime/config.js';
export { startServer, type RunningServer } from './runtime/start-server.js';
export type { RunningWorkers } from './runtime/workers.js';
export { composeServer, type Composition, type ServerPorts } from './runtime/compose.js';
export { openServerDatabase, type OpenedDatabase } from './runtime/open-database.js';
export { ensureDemoTenant, type DemoTenant } from './runtime/demo-tenant.js';
export type { HttpSettings, ServerContext, ServerServices } from './context.js';
export * from './database/index.js';
export * from './sandbox/index.js';
export * from './observability/index.js';
export * from './console/index.js';
export type { AlertChannel, EmailChannelSettings, SmtpSecurity } from './alerts-notify/alert-channel.js';
export type {
  AlertChannelInput,
  AlertChannelPatch,
  AlertChannelResource,
  AlertChannelService,
  AlertChannelTestResult,
} from './alerts-notify/alert-channel-service.js';
export { alertChannelTypes, type AlertChannelType } from './alerts-notify/alert-channel-config.js';
export { createAlertChannelService } from './alerts-notify/alert-channel-service.js';
export type { AlertTransition } from './alerts-notify/alert-channel.js';
export type { TenantAlertChannel } from './alerts-notify/alert-notifier.js';
export type { EndpointInput } from './webhooks/webhook-service.js';
export type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhooks/webhook-sql.js';
export type { EvolutionIngest } from './evolution/evolution-ingest.js';
export type { KommoIngest } from './kommo/kommo-ingest.js';
export type { KommoInbox, KommoInboxDelivery } from './kommo/kommo-inbox.js';
export type { KommoInboxWorker, KommoInboxWorkerOptions } from './kommo/kommo-inbox-worker.js';
export type { KommoDeliveryDeps } from './kommo/kommo-delivery.js';
export type {
  GoogleCalendarPassReport,
  GoogleCalendarSync,
  GoogleCalendarSyncOptions,
  GoogleCalendarTenant,
  GoogleNotificationVerdict,
} from './google-calendar/google-calendar-sync.js';
export type { IntegrationService } from './integrations/integration-service.js';
export type { SecretBox } from './integrations/secret-box.js';
export type { PluginRegistry, TenantPortResolver } from './integrations/port-resolver.js';
export type { ServerAgent } from './agent/server-agent.js';
export type { TenantModelResolver } from './agent/model-resolver.js';
export type { AgentSettingsStore, StoredAgentSettings } from './agent/agent-settings-store.js';
export type { TenantSandbox } from './runtime/compose.js';
export type { TenantSandboxPorts } from './sandbox/sandbox-routes.js';
export type { WhatsappDeliveryState } from './evolution/whatsapp-delivery-state.js';
export type { EvolutionInbox } from './evolution/evolution-inbox.js';
export type { EvolutionWebhookSettingsFor } from './evolution/evolution-webhook-settings.js';
export type { WebhookPayload } from './webhooks/webhook-events.js';
export type { EvolutionInboxWorker } from './evolution/evolution-inbox-worker.js';
export type { IntegrationResource } from './integrations/integration-service.js';
export type { OAuthConnected, OAuthService, OAuthStart } from './integrations/oauth-service.js';
export type { HealthPassResult, IntegrationHealthChecker } from './integrations/integration-health-checker.js';
export type { EvolutionInboxWorkerOptions } from './evolution/evolution-inbox-worker.js';
export type { InboundMedia } from './evolution/inbound-media.js';
export type { InboxEvent } from './evolution/evolution-inbox.js';
export type { InboxCounts } from './evolution/evolution-inbox.js';
export type { InboxSettlement } from './database/inbox-settlement.js';
export type { ChannelState } from './evolution/whatsapp-delivery-state.js';
export type { MessageDeliveryState } from './evolution/whatsapp-delivery-state.js';
export type { EvolutionWebhookSettings } from './evolution/evolution-webhook-settings.js';
export type { NewInboxEvent } from './evolution/evolution-inbox.js';
