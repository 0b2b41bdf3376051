/**
 * Changes that arrive **from** the CRM (SPEC §4.1): a person moved a card. The lead's stage
 * follows (`won`/`lost`/`human_handoff` stop or pause automation, through the follow-up engine,
 * whose rules are not repeated here), and the sync learns where the card is — in the same unit of
 * work — so that the move is never written back to the CRM (no echo).
 *
 * The status is mapped back to a domain stage by the tenant's stage mapping, then by the closing
 * statuses every pipeline has (Kommo: 142 won, 143 lost). A status the tenant does not map
 * changes no stage; the sync still records where the card is.
 */
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import { commitWithEvents } from '../events/after-commit.js';
import type { FollowUpService } from '../follow-up/follow-up-service.js';
import type { Lead, Stage } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import { crmStageRefSchema } from '../model/tenant.js';
import { appendCrmStageObservedEntry } from './crm-outbox-entries.js';
import { kommoClosingStatuses, stageForCrmStatus, type ClosingStatuses } from './crm-projection.js';

/** Options of `createCrmInboundService`. */
export interface CrmInboundServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Applies the stage move's consequences (automation, pending follow-ups) in the same unit of work. */
  readonly followUp: FollowUpService;
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** Statuses that mean won and lost in every pipeline (default Kommo's 142 and 143; `null`: none). */
  readonly closingStatuses?: ClosingStatuses | null;
}

/** A stage move reported by the CRM (Kommo webhook `leads[status]`, re-fetched through the API). */
export interface CrmStageChangeInput {
  readonly tenantId: string;
  readonly crmLeadId: string;
  readonly pipelineId: string;
  readonly statusId: string;
  /** When the move happened; defaults to the clock. */
  readonly at?: Date;
}

/** What a reported stage move did. */
export type CrmStageChangeResult =
  /** The lead moved to `stage` (and automation followed). */
  | { readonly outcome: 'applied'; readonly lead: Lead; readonly stage: Stage }
  /** The lead already had that stage, or the status maps to no stage: only the card's place was recorded. */
  | { readonly outcome: 'recorded'; readonly lead: Lead; readonly stage: Stage | null }
  /** No tenant or no lead is linked to that CRM lead: nothing changed. */
  | { readonly outcome: 'unknown_lead' };

/** Changes arriving from the CRM. */
export interface CrmInboundService {
  /** A person moved a CRM card; see the module comment. Idempotent: a re-delivered move changes nothing more. */
  handleStageChange(input: CrmStageChangeInput): Promise<CrmStageChangeResult>;
}

/** Creates the service. */
export function createCrmInboundService(options: CrmInboundServiceOptions): CrmInboundService {
  const { store, clock, followUp } = options;
  const logger = options.logger ?? noopLogger;
  const closing = options.closingStatuses === undefined ? kommoClosingStatuses : options.closingStatuses;

  return {
    async handleStageChange(input) {
      const ref = parseOrThrow(crmStageRefSchema, { pipelineId: input.pipelineId, statusId: input.statusId }, 'stage');
      const tenant = await store.tenants.get(input.tenantId);
      if (tenant === null) return { outcome: 'unknown_lead' };
      const at = input.at ?? clock.now();
      const stage = stageForCrmStatus(ref, tenant, closing);
      const { result } = await commitWithEvents({ store, events: options.events, logger }, async (tx) => {
        const lead = await tx.leads.findByCrmLeadId(tenant.id, input.crmLeadId);
        if (lead === null) return { result: { outcome: 'unknown_lead' } as const, events: [] };
        await appendCrmStageObservedEntry(tx, { tenantId: tenant.id, leadId: lead.id, ref, stage });
        if (stage === null || stage === lead.stage) return { result: { outcome: 'recorded', lead, stage } as const, events: [] };
        const moved = await followUp.handleWithin(tx, {
          tenant,
          leadId: lead.id,
          event: { type: 'crm_stage_changed', to: stage },
          now: at,
        });
        return { result: { outcome: 'applied', lead: moved.lead, stage } as const, events: moved.events };
      });
      logger.info(
        { tenantId: tenant.id, crmLeadId: input.crmLeadId, pipelineId: ref.pipelineId, statusId: ref.statusId, outcome: result.outcome },
        'CRM stage move received',
      );
      return result;
    },
  };
}
