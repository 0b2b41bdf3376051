/** The tenant's billing cycles, newest first, with "mark paid" and "cancel" for the active ones. */
import { useState } from 'preact/hooks';
import { unwrap } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { ErrorNotice, Loading } from '../../ui/notices.js';
import { useResource } from '../../ui/use-resource.js';

export function BillingCycles(props: { readonly version: number }) {
  const { t, money } = useI18n();
  const { api } = useApp();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const cycles = useResource(() => unwrap(api.GET('/v1/billing/cycles', { params: { query: { limit: 200 } } })), [api, props.version]);
  useLiveRefresh(cycles.reload, (event) => event.name.startsWith('billing.'));

  const act = async (id: string, action: 'pay' | 'cancel') => {
    setBusy(id);
    setError(null);
    try {
      const path = { params: { path: { id } } };
      await unwrap(action === 'pay' ? api.POST('/v1/billing/cycles/{id}/pay', path) : api.POST('/v1/billing/cycles/{id}/cancel', path));
      cycles.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="cycles-title" class="panel">
      <h2 id="cycles-title">{t('billing.cyclesTitle')}</h2>
      {error === null ? null : <ErrorNotice error={error} />}
      {cycles.value === undefined ? (
        cycles.error === undefined ? (
          <Loading />
        ) : (
          <ErrorNotice error={cycles.error} />
        )
      ) : cycles.value.items.length === 0 ? (
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
            {cycles.value.items.map((cycle) => (
              <tr key={cycle.id} data-status={cycle.status}>
                <th scope="row">{cycle.externalBillingId}</th>
                <td>{money(cycle.amount, cycle.currency)}</td>
                <td>{cycle.dueDate}</td>
                <td>{t(`cycleStatus.${cycle.status}`)}</td>
                <td>{cycle.steps.map((step) => step.step).join(', ')}</td>
                <td>
                  {cycle.status === 'active' ? (
                    <span class="inline">
                      <button type="button" class="small" disabled={busy !== null} onClick={() => void act(cycle.id, 'pay')}>
                        {t('billing.markPaid')}
                      </button>
                      <button type="button" class="secondary small" disabled={busy !== null} onClick={() => void act(cycle.id, 'cancel')}>
                        {t('billing.cancelCycle')}
                      </button>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
