/**
 * The lead stages in board order, and their names as the tenant's CRM calls them: the sandbox
 * CRM's pipeline when the server has it (the demo tenant's "Reunião agendada"…), else the
 * console's own words for the domain stages.
 */
import { endpoints } from '../api/capabilities.js';
import { unwrap, type Stage } from '../api/client.js';
import { useApp } from '../app-context.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useResource } from '../ui/use-resource.js';

/** Every stage, as the board shows them left to right. */
export const stageOrder: readonly Stage[] = ['new', 'qualifying', 'meeting_scheduled', 'human_handoff', 'not_interested', 'won', 'lost'];

const stageLabels = {
  new: 'stage.new',
  qualifying: 'stage.qualifying',
  meeting_scheduled: 'stage.meeting_scheduled',
  not_interested: 'stage.not_interested',
  human_handoff: 'stage.human_handoff',
  won: 'stage.won',
  lost: 'stage.lost',
} as const satisfies Record<Stage, MessageKey>;

/** The name of each stage, as the tenant's CRM names its column. */
export function useStageNames(): (stage: Stage) => string {
  const { t } = useI18n();
  const { api, tenant, capabilities } = useApp();
  const crm = useResource(
    () =>
      capabilities.has(endpoints.sandboxCrm)
        ? unwrap(api.GET('/v1/sandbox/crm', { params: { query: { limit: 1 } } })).then((board) => board.pipeline)
        : Promise.resolve(null),
    [api, capabilities],
  );
  return (stage) => {
    const statusId = tenant.stageMapping[stage]?.statusId;
    const name = crm.value?.statuses.find((status) => status.statusId === statusId)?.name;
    return name ?? t(stageLabels[stage]);
  };
}
