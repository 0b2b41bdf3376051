import type { CliCommand } from './command.js';
import { agentSettingsCommand } from './commands/agent-settings.js';
import { billingPlanCommand } from './commands/billing-plan.js';
import { callCommand } from './commands/call.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { alertChannelsCommand } from './commands/alert-channels.js';
import { integrationsCommand } from './commands/integrations.js';
import { keysRotateCommand } from './commands/keys-rotate.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';

/** Every sub-command of `sdr`. Each lives in its own module under `cli/commands/`. */
export const commands: readonly CliCommand[] = [
  serveCommand,
  simulateCommand,
  billingPlanCommand,
  keysRotateCommand,
  integrationsCommand,
  agentSettingsCommand,
  alertChannelsCommand,
  exportCommand,
  importCommand,
  callCommand,
];
