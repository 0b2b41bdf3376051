export type { DispatchContext, DispatchDecision, DispatchHandler, DispatchOutcome } from './dispatch-handler.js';
export { createDispatcher, type Dispatcher } from './dispatcher.js';
export type { ChannelHealthOptions, DispatcherOptions, PacingOptions } from './dispatcher-options.js';
export type { DispatchRunReport } from './dispatch-report.js';
export { channelDownAlertKind } from './channel-health-gate.js';
export { unreachableTag } from './mark-unreachable.js';
