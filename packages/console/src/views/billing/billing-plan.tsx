/** A dry-run plan: the summary, each item with its status or errors, and each message it would send. */
import type { ComponentChildren } from 'preact';
import type { BillingImportResult } from '../../api/client.js';
import { useI18n } from '../../i18n/i18n.js';

export function BillingPlan(props: {
  readonly plan: BillingImportResult;
  readonly fileName: string;
  readonly children: ComponentChildren;
}) {
  const { t, dateTime } = useI18n();
  const { plan } = props;
  const { summary } = plan;
  return (
    <section aria-labelledby="plan-title" class="panel plan">
      <h2 id="plan-title">{t('billing.planTitle', { file: props.fileName })}</h2>
      <p>
        {t('billing.summary', {
          created: summary.created,
          updated: summary.updated,
          duplicate: summary.duplicate,
          invalid: summary.invalid,
          messages: summary.messages,
          skipped: summary.skipped,
        })}
      </p>
      <p class="hint">{t('billing.planHash', { hash: plan.planHash, today: plan.today })}</p>
      {props.children}
      <table class="plan-table">
        <caption class="visually-hidden">{t('billing.planCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('billing.item')}</th>
            <th scope="col">{t('billing.step')}</th>
            <th scope="col">{t('billing.sendAt')}</th>
            <th scope="col">{t('billing.variation')}</th>
            <th scope="col">{t('billing.text')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.items.map((item) =>
            item.messages.length === 0 ? (
              <tr key={item.index} data-status={item.status}>
                <th scope="row">
                  #{item.index + 1} {item.externalBillingId ?? ''} <span class="badge">{t(`importStatus.${item.status}`)}</span>
                </th>
                <td colSpan={4}>
                  {item.errors.map((fieldError) => (
                    <span key={fieldError.field} class="error-text">
                      <code>{fieldError.field}</code>: {fieldError.message}{' '}
                    </span>
                  ))}
                </td>
              </tr>
            ) : (
              item.messages.map((message, index) => (
                <tr key={`${item.index}-${message.step}`} data-status={item.status}>
                  {index === 0 ? (
                    <th scope="row" rowSpan={item.messages.length}>
                      #{item.index + 1} {item.externalBillingId ?? ''} <span class="badge">{t(`importStatus.${item.status}`)}</span>
                      <br />
                      <span class="hint">{item.recipient ?? ''}</span>
                    </th>
                  ) : null}
                  <td>
                    {message.step} ({t('billing.offset', { days: message.offsetDays })})
                  </td>
                  <td>
                    {message.status === 'skipped' ? (
                      <span class="hint">{t('billing.skipped', { reason: message.skipReason ?? '' })}</span>
                    ) : (
                      dateTime(message.sendAt)
                    )}
                  </td>
                  <td>
                    <code>{message.variationId}</code>
                  </td>
                  <td class="message-body">{message.text}</td>
                </tr>
              ))
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}
