export {
  billingDueDateRangeYears,
  billingImportChunkSize,
  billingItemSchema,
  dueDateRangeProblem,
  maxBillingBatchItems,
  parseBillingBatch,
  parseBillingItem,
  type BillingItem,
  type BillingItemParseResult,
  type BillingItemRules,
} from './billing-batch.js';
export { contactAfter, upsertContact, type ContactData, type ContactWrite } from './billing-contacts.js';
export { createBillingDispatchHandler, type BillingDispatchHandlerOptions } from './billing-dispatch-handler.js';
export { billingCycleIdFor, billingStepDedupeKey, billingStepMessageIdFor, contactIdFor, nameBasedUuid } from './billing-ids.js';
export { runBillingImport, type BillingImportDependencies, type BillingImportMode } from './billing-import.js';
export { type BillingItemStatus } from './billing-evaluate.js';
export {
  billingCycleLockKey,
  cancelBillingCycle,
  completeBillingCycleIfSettled,
  markBillingCyclePaid,
  optOutBillingContact,
  type BillingLifecycleDependencies,
} from './billing-lifecycle.js';
export {
  assertDistinctStepOffsets,
  billingStepLabel,
  billingStepTemplateKey,
  genericBillingTemplateKey,
  planBillingSteps,
  type BillingStepConfig,
  type BillingStepExplanation,
  type PlanBillingStepsInput,
  type PlannedBillingStep,
} from './billing-planner.js';
export {
  type BillingImportItemResult,
  type BillingImportResult,
  type BillingImportSummary,
  type BillingPlanMessage,
} from './billing-plan-result.js';
export { billingMessageVariables, renderBillingMessage, type BillingMessageFacts } from './billing-render.js';
export { createBillingService, type BillingService, type BillingServiceDependencies } from './billing-service.js';
export { canonicalHash, canonicalJson } from './canonical-json.js';
