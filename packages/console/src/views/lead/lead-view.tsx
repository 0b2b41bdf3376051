/**
 * A lead: who it is and where it stands, the conversation, the scheduled messages with why each
 * is due when it is, appointments, the CRM sync state, and the operator's actions. It follows the
 * lead's live events.
 */
import { useRoute } from 'preact-iso';
import { endpoints } from '../../api/capabilities.js';
import { unwrap } from '../../api/client.js';
import type { LiveEvent } from '../../api/live-events.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { basePath } from '../../shell.js';
import { ErrorNotice, Loading, Unavailable } from '../../ui/notices.js';
import { useResource } from '../../ui/use-resource.js';
import { useStageNames } from '../stages.js';
import { GenericList } from '../health/generic-list.js';
import { AppointmentsPanel } from './appointments-panel.js';
import { ConversationPanel } from './conversation-panel.js';
import { CrmSyncPanel } from './crm-sync-panel.js';
import { LeadActions } from './lead-actions.js';
import { ScheduledPanel } from './scheduled-panel.js';

/** Whether a live event concerns the lead `leadId` (scheduled-message events name no lead: they may). */
export function concernsLead(event: LiveEvent, leadId: string): boolean {
  return event.data.leadId === leadId || event.name.startsWith('scheduled.');
}

export function LeadView() {
  const { t, dateTime } = useI18n();
  const { api, capabilities } = useApp();
  const { params } = useRoute();
  const leadId = params['id'] ?? '';
  const stageName = useStageNames();
  const lead = useResource(() => unwrap(api.GET('/v1/leads/{id}', { params: { path: { id: leadId } } })), [api, leadId]);
  useLiveRefresh(lead.reload, (event) => event.data.leadId === leadId);

  if (lead.value === undefined) return lead.error === undefined ? <Loading /> : <ErrorNotice error={lead.error} />;
  const current = lead.value;
  return (
    <article aria-labelledby="lead-title" class="lead">
      <p>
        <a href={`${basePath}/board`}>{t('lead.backToBoard')}</a>
      </p>
      <h1 id="lead-title">{current.name ?? current.phone}</h1>
      <dl class="facts">
        <div>
          <dt>{t('lead.phone')}</dt>
          <dd>{current.phone}</dd>
        </div>
        <div>
          <dt>{t('lead.stage')}</dt>
          <dd data-testid="lead-stage">{stageName(current.stage)}</dd>
        </div>
        <div>
          <dt>{t('lead.automation')}</dt>
          <dd>{t(`automation.${current.automation}`)}</dd>
        </div>
        <div>
          <dt>{t('lead.optOut')}</dt>
          <dd>
            {current.optedOut && current.optedOutAt !== null
              ? t('lead.optedOutAt', { when: dateTime(current.optedOutAt) })
              : t('common.no')}
          </dd>
        </div>
      </dl>
      {lead.error === undefined ? null : <ErrorNotice error={lead.error} />}
      <LeadActions lead={current} onChanged={lead.reload} />
      <div class="lead-grid">
        <ConversationPanel leadId={current.id} />
        <div class="lead-side">
          <ScheduledPanel leadId={current.id} />
          <AppointmentsPanel lead={current} />
          <CrmSyncPanel leadId={current.id} />
          <section aria-labelledby="agent-title" class="panel">
            <h2 id="agent-title">{t('agent.title')}</h2>
            {capabilities.has(endpoints.agent) ? (
              <GenericList path={`/v1/leads/${current.id}/agent`} />
            ) : (
              <Unavailable what={t('agent.what')} endpoint={endpoints.agent} />
            )}
          </section>
        </div>
      </div>
    </article>
  );
}
