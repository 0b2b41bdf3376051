/**
 * The board the in-memory CRM starts with, modelled on a Kommo account: one sales pipeline
 * whose statuses include the ones the domain maps stages to, plus Kommo's fixed closing
 * statuses 142 (won) and 143 (lost), which exist in **every** pipeline.
 */
import type { CrmPipeline } from '../../ports/crm/crm-port.js';

/** Kommo's status id for "closed – won", the same in every pipeline. */
export const crmWonStatusId = '142';
/** Kommo's status id for "closed – lost", the same in every pipeline. */
export const crmLostStatusId = '143';

/** The default pipeline of `createInMemoryCrm`. New leads start in its first status. */
export const defaultCrmPipeline: CrmPipeline = Object.freeze({
  pipelineId: '7000001',
  name: 'Funil de vendas',
  statuses: Object.freeze([
    Object.freeze({ statusId: '7000101', name: 'Leads de entrada' }),
    Object.freeze({ statusId: '7000102', name: 'Qualificando' }),
    Object.freeze({ statusId: '7000103', name: 'Reunião agendada' }),
    Object.freeze({ statusId: '7000104', name: 'Não interessado' }),
    Object.freeze({ statusId: '7000105', name: 'Atendimento humano' }),
    Object.freeze({ statusId: crmWonStatusId, name: 'Venda ganha' }),
    Object.freeze({ statusId: crmLostStatusId, name: 'Venda perdida' }),
  ]),
});

/** A copy of `pipeline` that has the won and lost statuses, as Kommo guarantees. */
export function withClosingStatuses(pipeline: CrmPipeline): CrmPipeline {
  const statuses = pipeline.statuses.map((status) => ({ ...status }));
  if (!statuses.some((status) => status.statusId === crmWonStatusId)) statuses.push({ statusId: crmWonStatusId, name: 'Venda ganha' });
  if (!statuses.some((status) => status.statusId === crmLostStatusId)) statuses.push({ statusId: crmLostStatusId, name: 'Venda perdida' });
  return { pipelineId: pipeline.pipelineId, name: pipeline.name, statuses };
}
