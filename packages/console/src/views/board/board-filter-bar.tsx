/** The board's filter controls. */
import type { AutomationState, Channel } from '../../api/client.js';
import { useI18n } from '../../i18n/i18n.js';
import type { BoardFilters } from './board-filters.js';

const automationStates: readonly AutomationState[] = ['active', 'paused_handoff', 'stopped'];
const channelNames: readonly Channel[] = ['whatsapp', 'voice', 'sms'];

export function BoardFilterBar(props: { readonly filters: BoardFilters; readonly onChange: (filters: BoardFilters) => void }) {
  const { t } = useI18n();
  const { filters, onChange } = props;
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <label>
        <span>{t('filters.automation')}</span>
        <select
          value={filters.automation}
          onChange={(event) => onChange({ ...filters, automation: event.currentTarget.value as BoardFilters['automation'] })}
        >
          <option value="all">{t('filters.all')}</option>
          {automationStates.map((state) => (
            <option key={state} value={state}>
              {t(`automation.${state}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('filters.optedOut')}</span>
        <select
          value={filters.optedOut}
          onChange={(event) => onChange({ ...filters, optedOut: event.currentTarget.value as BoardFilters['optedOut'] })}
        >
          <option value="all">{t('filters.all')}</option>
          <option value="yes">{t('filters.optedOutYes')}</option>
          <option value="no">{t('filters.optedOutNo')}</option>
        </select>
      </label>
      <label>
        <span>{t('filters.channel')}</span>
        <select
          value={filters.channel}
          onChange={(event) => onChange({ ...filters, channel: event.currentTarget.value as BoardFilters['channel'] })}
        >
          <option value="all">{t('filters.all')}</option>
          {channelNames.map((channel) => (
            <option key={channel} value={channel}>
              {t(`channel.${channel}`)}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}
