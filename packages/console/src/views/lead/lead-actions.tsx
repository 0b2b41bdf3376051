/** The operator's actions on a lead: set the stage, hand over to a person, resume automation, opt out. */
import { useEffect, useState } from 'preact/hooks';
import { unwrap, type Lead, type Stage } from '../../api/client.js';
import { useApp } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/notices.js';
import { useAction } from '../../ui/use-action.js';
import { stageOrder, useStageNames } from '../stages.js';

export function LeadActions(props: { readonly lead: Lead; readonly onChanged: () => void }) {
  const { t } = useI18n();
  const { api } = useApp();
  const stageName = useStageNames();
  const { lead } = props;
  const [stage, setStage] = useState<Stage>(lead.stage);
  // The lead changes under the form (live events, a booking): the choice follows its stage.
  useEffect(() => setStage(lead.stage), [lead.stage]);
  const [reason, setReason] = useState('');
  const [confirmOptOut, setConfirmOptOut] = useState(false);
  const { busy, error, run } = useAction();
  const path = { params: { path: { id: lead.id } } };
  const act = async (action: () => Promise<unknown>) => {
    if (await run(action)) props.onChanged();
  };

  return (
    <section aria-labelledby="actions-title" class="panel actions">
      <h2 id="actions-title">{t('actions.title')}</h2>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => unwrap(api.POST('/v1/leads/{id}/stage', { ...path, body: { stage } })));
        }}
      >
        <label>
          <span>{t('actions.stage')}</span>
          <select value={stage} onChange={(event) => setStage(event.currentTarget.value as Stage)}>
            {stageOrder.map((option) => (
              <option key={option} value={option}>
                {stageName(option)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || stage === lead.stage}>
          {t('actions.setStage')}
        </button>
      </form>
      {lead.automation === 'paused_handoff' ? (
        <button type="button" disabled={busy} onClick={() => void act(() => unwrap(api.POST('/v1/leads/{id}/resume', path)))}>
          {t('actions.resume')}
        </button>
      ) : (
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            void act(() =>
              unwrap(api.POST('/v1/leads/{id}/handoff', { ...path, body: { reason: reason.trim(), requestedBy: 'operator' } })),
            );
          }}
        >
          <label>
            <span>{t('actions.handoffReason')}</span>
            <input type="text" value={reason} maxLength={500} onInput={(event) => setReason(event.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || reason.trim() === ''}>
            {t('actions.handoff')}
          </button>
        </form>
      )}
      {lead.optedOut ? null : confirmOptOut ? (
        <span class="inline">
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() => void act(() => unwrap(api.POST('/v1/leads/{id}/opt-out', path)))}
          >
            {t('actions.confirmOptOut')}
          </button>
          <button type="button" class="secondary" onClick={() => setConfirmOptOut(false)}>
            {t('common.cancel')}
          </button>
        </span>
      ) : (
        <button type="button" class="secondary" disabled={busy} onClick={() => setConfirmOptOut(true)}>
          {t('actions.optOut')}
        </button>
      )}
      {error === null ? null : <ErrorNotice error={error} />}
    </section>
  );
}
