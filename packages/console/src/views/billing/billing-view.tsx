/**
 * Billing: upload a batch file, see the dry-run plan — every item, and every message with its
 * send time, template variation and text — then apply exactly that plan by its hash; below, the
 * billing cycles, with "mark paid" and "cancel" for the active ones.
 */
import { useState } from 'preact/hooks';
import { unwrap, type BillingImportResult, type BillingItems } from '../../api/client.js';
import { useApp } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { parseBatchFile } from './billing-file.js';
import { BillingCycles } from './billing-cycles.js';
import { BillingPlan } from './billing-plan.js';

export function BillingView() {
  const { t } = useI18n();
  const { api } = useApp();
  const [items, setItems] = useState<BillingItems | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [plan, setPlan] = useState<BillingImportResult | null>(null);
  const [applied, setApplied] = useState<BillingImportResult | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const { busy, error, run, clear } = useAction();
  const [cyclesVersion, setCyclesVersion] = useState(0);

  const preview = async (file: File) => {
    clear();
    setFileError(null);
    setPlan(null);
    setApplied(null);
    setFileName(file.name);
    const parsed = parseBatchFile(await file.text());
    if ('error' in parsed) {
      setItems(null);
      setFileError(t(parsed.error === 'not_json' ? 'billing.notJson' : 'billing.noItems', { file: file.name }));
      return;
    }
    // Items go to the server as the file has them: it validates each one and reports the bad ones.
    const batch = parsed.items as BillingItems;
    setItems(batch);
    await run(async () => setPlan(await unwrap(api.POST('/v1/billing/imports', { body: { items: batch, dryRun: true } }))));
  };

  const apply = async () => {
    if (plan === null || items === null) return;
    const body = { items };
    const path = { planHash: plan.planHash };
    const done = await run(async () =>
      setApplied(await unwrap(api.POST('/v1/billing/plans/{planHash}/apply', { params: { path }, body }))),
    );
    if (done) {
      setPlan(null);
      setCyclesVersion((version) => version + 1);
    }
  };

  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">{t('billing.title')}</h1>
      <form class="panel" onSubmit={(event) => event.preventDefault()}>
        <label for="batch-file">{t('billing.fileLabel')}</label>
        <input
          id="batch-file"
          type="file"
          accept="application/json,.json"
          aria-describedby="batch-file-help"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file !== undefined) void preview(file);
          }}
        />
        <p id="batch-file-help" class="hint">
          {t('billing.fileHelp')}
        </p>
      </form>
      {busy ? (
        <p role="status" class="notice">
          {t('common.loading')}
        </p>
      ) : null}
      {fileError === null ? null : (
        <p class="notice notice-error" role="alert">
          {fileError}
        </p>
      )}
      {error === null ? null : <ErrorNotice error={error} />}
      {plan === null ? null : (
        <BillingPlan plan={plan} fileName={fileName ?? ''}>
          <button type="button" disabled={busy} onClick={() => void apply()}>
            {t('billing.apply', { hash: plan.planHash.slice(0, 12) })}
          </button>
        </BillingPlan>
      )}
      {applied === null ? null : (
        <p role="status" class="notice notice-success">
          {t('billing.applied', { created: applied.summary.created, messages: applied.summary.messages })}
        </p>
      )}
      <BillingCycles version={cyclesVersion} />
    </section>
  );
}
