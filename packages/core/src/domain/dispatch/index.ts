export type { DispatchContext, DispatchDecision, DispatchHandler, DispatchOutcome } from './dispatch-handler.js';
