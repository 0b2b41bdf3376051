/**
 * What an accepted Kommo delivery does, after the route has answered: each lead it names is
 * re-fetched through the tenant's CRM port (a delivery is a hint, not the truth), and a card that
 * now sits somewhere else than the sync last put it is a person's move, applied through the core's
 * CRM inbound service (won/lost/handoff stop automation, SPEC §4.1). A card where the sync left it
 * only echoes our own move and is ignored.
 */
import { stageChangesFrom, kommoWebhookLeadIds, type ParsedKommoWebhook } from '@sdr/adapter-kommo';
import { syncedStateFromJson, type CrmInboundService, type CrmPort, type CrmStageRef, type Logger, type Store } from '@sdr/core';

/** What `applyKommoDelivery` needs. */
export interface KommoDeliveryDeps {
  readonly store: Pick<Store, 'leads' | 'syncStates'>;
  readonly crmFor: (tenantId: string) => CrmPort;
  readonly crmInbound: CrmInboundService;
  readonly logger: Logger;
}

/** What a delivery did, for logs and tests. */
export interface KommoDeliveryReport {
  /** Leads re-fetched. */
  readonly fetched: number;
  /** Moves handed to the inbound service, with what each did. */
  readonly moves: readonly { readonly crmLeadId: string; readonly statusId: string; readonly outcome: string }[];
  /** Leads named whose card sat where the sync left it. */
  readonly echoes: number;
}

/** Where the sync last put each CRM lead that is linked to one of the tenant's leads. */
async function lastSyncedStages(
  store: KommoDeliveryDeps['store'],
  tenantId: string,
  crmLeadIds: readonly string[],
): Promise<Map<string, CrmStageRef | null>> {
  const entries = await Promise.all(
    crmLeadIds.map(async (crmLeadId): Promise<[string, CrmStageRef | null]> => {
      const lead = await store.leads.findByCrmLeadId(tenantId, crmLeadId);
      const stored = lead === null ? null : await store.syncStates.get(tenantId, lead.id);
      const synced = stored === null ? null : syncedStateFromJson(stored.state);
      return [crmLeadId, synced?.stageRef ?? null];
    }),
  );
  return new Map(entries);
}

/** Applies an accepted delivery of `tenantId`; see the module comment. */
export async function applyKommoDelivery(
  deps: KommoDeliveryDeps,
  input: { readonly tenantId: string; readonly delivery: ParsedKommoWebhook },
): Promise<KommoDeliveryReport> {
  const { tenantId, delivery } = input;
  const ids = kommoWebhookLeadIds(delivery);
  if (ids.length === 0) return { fetched: 0, moves: [], echoes: 0 };
  const leads = await deps.crmFor(tenantId).getLeads(ids);
  const synced = await lastSyncedStages(
    deps.store,
    tenantId,
    leads.map((lead) => lead.leadId),
  );
  const changes = stageChangesFrom({ delivery, leads, lastSyncedStage: (crmLeadId) => synced.get(crmLeadId) ?? null });
  const moves: { crmLeadId: string; statusId: string; outcome: string }[] = [];
  // One after the other: two moves of one lead in a delivery must land in order.
  for (const change of changes) {
    const result = await deps.crmInbound.handleStageChange({ tenantId, ...change });
    moves.push({ crmLeadId: change.crmLeadId, statusId: change.statusId, outcome: result.outcome });
  }
  const moved = new Set(delivery.leads.filter((event) => event.kind === 'status' || event.kind === 'add').map((event) => event.leadId));
  const echoes = leads.filter((lead) => moved.has(lead.leadId)).length - changes.length;
  deps.logger.info({ tenantId, fetched: leads.length, moves, echoes }, 'Kommo webhook applied');
  return { fetched: leads.length, moves, echoes };
}
