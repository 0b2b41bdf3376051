/**
 * `createBillingService`: the billing use cases behind one object — import a batch (or dry-run
 * it), apply a dry-run plan by its hash, mark a cycle paid, cancel it, and opt a contact out.
 * The service is thin: the rules live in the planner, the item decisions and the lifecycle.
 */
import type { BillingCycle, Contact } from '../model/billing.js';
import type { Logger } from '../../ports/logger/logger.js';
import { runBillingImport } from './billing-import.js';
import { cancelBillingCycle, markBillingCyclePaid, optOutBillingContact, type BillingLifecycleDependencies } from './billing-lifecycle.js';
import type { BillingImportResult } from './billing-plan-result.js';

/** What the billing service needs: the lifecycle's ports, and a logger for import summaries. */
export interface BillingServiceDependencies extends BillingLifecycleDependencies {
  readonly logger?: Logger | undefined;
}

/** The billing use cases; see the module comment. */
export interface BillingService {
  /**
   * Imports up to 1000 items (`items` of the batch file). With `dryRun`, nothing is written and
   * the result is the full plan with its hash. A batch that is not a list or too large is a
   * `ValidationError` naming `items`, and nothing is written.
   */
  importBatch(input: {
    readonly tenantId: string;
    readonly items: readonly unknown[];
    readonly dryRun?: boolean;
  }): Promise<BillingImportResult>;
  /**
   * Writes exactly the plan a dry run of the same items returned with `planHash`, or throws a
   * `ConflictError` (nothing of the mismatching chunk written) when the inputs changed since.
   */
  applyPlan(input: {
    readonly tenantId: string;
    readonly items: readonly unknown[];
    readonly planHash: string;
  }): Promise<BillingImportResult>;
  /** `active` or `completed` ⇒ `paid`, remaining steps cancelled; already paid ⇒ unchanged. */
  markPaid(input: { readonly tenantId: string; readonly billingCycleId: string }): Promise<BillingCycle>;
  /** `active` ⇒ `cancelled`, remaining steps cancelled; otherwise a `ConflictError`. */
  cancel(input: { readonly tenantId: string; readonly billingCycleId: string }): Promise<BillingCycle>;
  /** Opts a contact (by id, or by phone — created opted out when unknown) out of billing messages. */
  optOutContact(input: { readonly tenantId: string } & ({ readonly contactId: string } | { readonly phone: string })): Promise<Contact>;
}

/** Creates the billing service over its ports. */
export function createBillingService(dependencies: BillingServiceDependencies): BillingService {
  const importDependencies = {
    store: dependencies.store,
    clock: dependencies.clock,
    events: dependencies.events,
    logger: dependencies.logger,
  };
  return {
    importBatch: (input) =>
      runBillingImport(importDependencies, {
        tenantId: input.tenantId,
        batch: { items: input.items },
        mode: input.dryRun ? { kind: 'dry_run' } : { kind: 'import' },
      }),
    applyPlan: (input) =>
      runBillingImport(importDependencies, {
        tenantId: input.tenantId,
        batch: { items: input.items },
        mode: { kind: 'apply', planHash: input.planHash },
      }),
    markPaid: (input) => markBillingCyclePaid(dependencies, input),
    cancel: (input) => cancelBillingCycle(dependencies, input),
    optOutContact: (input) => optOutBillingContact(dependencies, input),
  };
}
