/**
 * Health: the server's readiness (database, lock, channels), the workers' heartbeats, this
 * tenant's scheduler lag and outbox depth, its open alerts, and — when the server has them — its
 * integrations and outgoing webhook endpoints.
 */
import { endpoints } from '../../api/capabilities.js';
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { Unavailable } from '../../ui/notices.js';
import { useResource } from '../../ui/use-resource.js';
import { GenericList } from './generic-list.js';

/** `/readyz`, which is not part of the API document (it is a probe, without a key). */
interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: Readonly<Record<string, { readonly status: 'up' | 'degraded' | 'down'; readonly detail?: string }>>;
}

async function loadReadiness(): Promise<Readiness> {
  const response = await fetch('/readyz');
  return (await response.json()) as Readiness;
}

export function HealthView() {
  const { t, dateTime, duration } = useI18n();
  const { api, capabilities } = useApp();
  const readiness = useResource(loadReadiness, []);
  const status = useResource(() => unwrap(api.GET('/v1/status')), [api]);
  const alerts = useResource(() => unwrap(api.GET('/v1/alerts')), [api]);
  useLiveRefresh(alerts.reload, (event) => event.name.startsWith('alert.'));
  const refresh = () => {
    readiness.reload();
    status.reload();
    alerts.reload();
  };

  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">{t('health.title')}</h1>
      <button type="button" class="secondary" onClick={refresh}>
        {t('common.refresh')}
      </button>
      <div class="health-grid">
        <section aria-labelledby="readiness-title" class="panel">
          <h2 id="readiness-title">{t('health.readiness')}</h2>
          <Loaded resource={readiness}>
            {({ checks }) => (
              <ul class="checks">
                {Object.entries(checks).map(([name, check]) => (
                  <li key={name}>
                    <span class={`status status-${check.status}`}>{t(`health.check.${check.status}`)}</span> {name}
                    {check.detail === undefined ? null : <span class="hint"> — {check.detail}</span>}
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </section>
        <section aria-labelledby="scheduler-title" class="panel">
          <h2 id="scheduler-title">{t('health.scheduler')}</h2>
          <Loaded resource={status}>
            {({ scheduler, crmOutbox, calendarOutbox }) => (
              <dl class="facts">
                <div>
                  <dt>{t('health.lag')}</dt>
                  <dd>{duration(scheduler.lagSeconds)}</dd>
                </div>
                <div>
                  <dt>{t('health.pending')}</dt>
                  <dd>{t('health.pendingValue', { pending: scheduler.pending, due: scheduler.duePending })}</dd>
                </div>
                <div>
                  <dt>{t('health.stuck')}</dt>
                  <dd>{scheduler.stuck}</dd>
                </div>
                <div>
                  <dt>{t('health.crmOutbox')}</dt>
                  <dd>
                    {t('health.outboxValue', {
                      pending: crmOutbox.pending,
                      dead: crmOutbox.dead,
                      lag: duration(crmOutbox.lagSeconds),
                    })}
                  </dd>
                </div>
                <div>
                  <dt>{t('health.calendarOutbox')}</dt>
                  <dd>
                    {t('health.outboxValue', {
                      pending: calendarOutbox.pending,
                      dead: calendarOutbox.dead,
                      lag: duration(calendarOutbox.lagSeconds),
                    })}
                  </dd>
                </div>
              </dl>
            )}
          </Loaded>
        </section>
        <section aria-labelledby="workers-title" class="panel">
          <h2 id="workers-title">{t('health.workers')}</h2>
          {status.value === undefined ? null : status.value.workers.length === 0 ? (
            <p class="hint">{t('health.noWorkers')}</p>
          ) : (
            <table>
              <caption class="visually-hidden">{t('health.workers')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('health.component')}</th>
                  <th scope="col">{t('health.process')}</th>
                  <th scope="col">{t('health.lastBeat')}</th>
                </tr>
              </thead>
              <tbody>
                {status.value.workers.map((worker) => (
                  <tr key={worker.workerId}>
                    <th scope="row">{worker.component}</th>
                    <td>{worker.processId}</td>
                    <td>
                      {dateTime(worker.lastBeatAt)} ({t('health.ago', { duration: duration(worker.ageSeconds) })})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="alerts-title" class="panel">
          <h2 id="alerts-title">{t('health.alerts')}</h2>
          <Loaded resource={alerts}>
            {({ items }) =>
              items.length === 0 ? (
                <p class="hint">{t('health.noAlerts')}</p>
              ) : (
                <ul class="alerts">
                  {items.map((alert) => (
                    <li key={alert.id} class={`alert alert-${alert.severity}`}>
                      <strong>{t(`severity.${alert.severity}`)}</strong> {alert.message}{' '}
                      <span class="hint">{t('health.raisedAt', { when: dateTime(alert.raisedAt) })}</span>
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </section>
        <section aria-labelledby="integrations-title" class="panel">
          <h2 id="integrations-title">{t('health.integrations')}</h2>
          {capabilities.has(endpoints.integrations) ? (
            <GenericList path="/v1/integrations" />
          ) : (
            <Unavailable what={t('health.integrationsWhat')} endpoint={endpoints.integrations} />
          )}
        </section>
        <section aria-labelledby="webhooks-title" class="panel">
          <h2 id="webhooks-title">{t('health.webhooks')}</h2>
          {capabilities.has(endpoints.webhookEndpoints) ? (
            <GenericList path="/v1/webhook-endpoints" />
          ) : (
            <Unavailable what={t('health.webhooksWhat')} endpoint={endpoints.webhookEndpoints} />
          )}
        </section>
      </div>
    </section>
  );
}
