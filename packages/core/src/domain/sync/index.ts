export {
  sameStageRef,
  sameSyncedState,
  syncedStateFromJson,
  syncedStateToJson,
  unknownCrmState,
  type CrmProjection,
  type SyncedCrmState,
} from './crm-sync-state.js';
export {
  crmOptedOutTag,
  kommoClosingStatuses,
  projectCrmState,
  stageForCrmStatus,
  type ClosingStatuses,
  type CrmProjectionConfig,
} from './crm-projection.js';
export { crmUpsertInput, diffCrmState, syncedAfterUpsert, toCrmPatch, type CrmStateChange, type CrmStateDiff } from './crm-diff.js';
export {
  appendCrmNoteEntry,
  appendCrmStageObservedEntry,
  foldCrmEntries,
  type CrmNote,
  type FoldedCrmEntries,
} from './crm-outbox-entries.js';
export { blockAccount, crmAccountKey, crmBlockedAlertKind, isAccountBlocked, isSuspectedBlock } from './crm-account.js';
export { defaultCrmRetryPolicy, type CrmSyncWorkerOptions } from './crm-sync-options.js';
export { createCrmSyncWorker, type CrmSyncRunReport, type CrmSyncWorker } from './crm-sync-worker.js';
export {
  createCrmInboundService,
  type CrmInboundService,
  type CrmInboundServiceOptions,
  type CrmStageChangeInput,
  type CrmStageChangeResult,
} from './crm-inbound-service.js';
export { detectCrmDrift, type CrmDriftFinding, type CrmDriftKind, type CrmDriftReport } from './crm-drift.js';
export {
  createCrmReconciler,
  type CrmDrift,
  type CrmReconciler,
  type CrmReconcilerOptions,
  type CrmReconciliationReport,
} from './crm-reconciler.js';
