/** The lead's CRM sync state: its CRM ids, when it was last written, and what still waits. */
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { useResource } from '../../ui/use-resource.js';

export function CrmSyncPanel(props: { readonly leadId: string }) {
  const { t, dateTime } = useI18n();
  const { api } = useApp();
  const sync = useResource(
    () => unwrap(api.GET('/v1/leads/{id}/crm-sync', { params: { path: { id: props.leadId } } })),
    [api, props.leadId],
  );
  useLiveRefresh(sync.reload, (event) => event.data.leadId === props.leadId, 1500);

  return (
    <section aria-labelledby="crm-title" class="panel">
      <h2 id="crm-title">{t('crm.title')}</h2>
      <button type="button" class="secondary small" onClick={sync.reload}>
        {t('common.refresh')}
      </button>
      <Loaded resource={sync}>
        {(state) => (
          <>
            <dl class="facts">
              <div>
                <dt>{t('crm.leadId')}</dt>
                <dd>{state.crmLeadId ?? t('crm.notYet')}</dd>
              </div>
              <div>
                <dt>{t('crm.syncedAt')}</dt>
                <dd>{state.syncedAt === null ? t('crm.never') : dateTime(state.syncedAt)}</dd>
              </div>
              <div>
                <dt>{t('crm.pending')}</dt>
                <dd>{state.pending}</dd>
              </div>
              <div>
                <dt>{t('crm.dead')}</dt>
                <dd>{state.dead}</dd>
              </div>
            </dl>
            {state.entries.length === 0 ? null : (
              <ul class="entries">
                {state.entries.map((entry) => (
                  <li key={entry.id}>
                    <code>{entry.type}</code> — {t(`outboxStatus.${entry.status}`)} · {dateTime(entry.createdAt)}
                    {entry.lastError === null ? null : <span class="error-text"> · {entry.lastError.message}</span>}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}
