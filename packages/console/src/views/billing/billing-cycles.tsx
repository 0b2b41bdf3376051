/** The tenant's billing cycles, newest first, with "mark paid" and "cancel" for the active ones. */
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { Loaded } from '../../ui/loaded.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { useResource } from '../../ui/use-resource.js';

export function BillingCycles(props: { readonly version: number }) {
  const { t, money } = useI18n();
  const { api } = useApp();
  const { busy, error, run } = useAction();
  const cycles = useResource(() => unwrap(api.GET('/v1/billing/cycles', { params: { query: { limit: 200 } } })), [api, props.version]);
  useLiveRefresh(cycles.reload, (event) => event.name.startsWith('billing.'));

  const act = async (id: string, action: 'pay' | 'cancel') => {
    const path = { params: { path: { id } } };
    const done = await run(() =>
      unwrap(action === 'pay' ? api.POST('/v1/billing/cycles/{id}/pay', path) : api.POST('/v1/billing/cycles/{id}/cancel', path)),
    );
    if (done) cycles.reload();
  };

  return (
    <section aria-labelledby="cycles-title" class="panel">
      <h2 id="cycles-title">{t('billing.cyclesTitle')}</h2>
      {error === null ? null : <ErrorNotice error={error} />}
      <Loaded resource={cycles}>
        {({ items }) =>
          items.length === 0 ? (
            <p class="hint">{t('billing.noCycles')}</p>
          ) : (
            <table>
              <caption class="visually-hidden">{t('billing.cyclesTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.externalId')}</th>
                  <th scope="col">{t('billing.amount')}</th>
                  <th scope="col">{t('billing.dueDate')}</th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col">{t('billing.steps')}</th>
                  <th scope="col">{t('billing.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((cycle) => (
                  <tr key={cycle.id} data-status={cycle.status}>
                    <th scope="row">{cycle.externalBillingId}</th>
                    <td>{money(cycle.amount, cycle.currency)}</td>
                    <td>{cycle.dueDate}</td>
                    <td>{t(`cycleStatus.${cycle.status}`)}</td>
                    <td>{cycle.steps.map((step) => step.step).join(', ')}</td>
                    <td>
                      {cycle.status === 'active' ? (
                        <span class="inline">
                          <button type="button" class="small" disabled={busy} onClick={() => void act(cycle.id, 'pay')}>
                            {t('billing.markPaid')}
                          </button>
                          <button type="button" class="secondary small" disabled={busy} onClick={() => void act(cycle.id, 'cancel')}>
                            {t('billing.cancelCycle')}
                          </button>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
