/**
 * The board: the tenant's leads as cards in columns by stage (named as the CRM names them), with
 * counts and filters. Dragging a card to another column sets the lead's stage as an operator
 * (`POST /v1/leads/{id}/stage`). It follows the tenant's live events.
 */
import { useEffect, useState } from 'preact/hooks';
import { unwrap, type Channel, type Lead, type Stage } from '../../api/client.js';
import { useApp, useLiveRefresh } from '../../app-context.js';
import { useI18n } from '../../i18n/i18n.js';
import { basePath } from '../../shell.js';
import { ErrorNotice, Loading } from '../../ui/notices.js';
import { useResource } from '../../ui/use-resource.js';
import { stageOrder, useStageNames } from '../stages.js';
import { BoardFilterBar } from './board-filter-bar.js';
import { filterLeads, noFilters, type BoardFilters } from './board-filters.js';

const pageSize = 500;
const dragType = 'application/x-sdr-lead';

/** Events that change what the board shows. */
const boardEvents = new Set(['lead.created', 'lead.opted_out', 'stage.changed', 'automation.changed', 'message.received', 'message.sent']);

function LeadCard(props: { readonly lead: Lead; readonly moving: boolean }) {
  const { t, dateTime } = useI18n();
  const { lead } = props;
  return (
    <li
      class={`card${props.moving ? ' card-moving' : ''}`}
      draggable
      data-lead-id={lead.id}
      onDragStart={(event) => {
        event.dataTransfer?.setData(dragType, lead.id);
        event.dataTransfer?.setData('text/plain', lead.id);
      }}
    >
      <a href={`${basePath}/leads/${lead.id}`} class="card-title">
        {lead.name ?? lead.phone}
      </a>
      <span class="hint">{lead.phone}</span>
      <span class="badges">
        {lead.automation === 'active' ? null : <span class="badge">{t(`automation.${lead.automation}`)}</span>}
        {lead.optedOut ? <span class="badge badge-danger">{t('lead.optedOut')}</span> : null}
      </span>
      {lead.lastInboundAt === null ? null : <span class="hint">{t('board.lastInbound', { when: dateTime(lead.lastInboundAt) })}</span>}
    </li>
  );
}

export function BoardView() {
  const { t } = useI18n();
  const { api } = useApp();
  const stageName = useStageNames();
  const [filters, setFilters] = useState<BoardFilters>(noFilters);
  const [channels, setChannels] = useState<ReadonlyMap<string, ReadonlySet<Channel>>>(new Map());
  const [moving, setMoving] = useState<string | null>(null);
  const [moveError, setMoveError] = useState<unknown>(null);
  const [over, setOver] = useState<Stage | null>(null);

  const leads = useResource(() => unwrap(api.GET('/v1/leads', { params: { query: { limit: pageSize } } })), [api]);
  useLiveRefresh(leads.reload, (event) => boardEvents.has(event.name));

  // The channel filter needs each lead's conversation: read once per lead, when first asked for.
  useEffect(() => {
    if (filters.channel === 'all' || leads.value === undefined) return;
    const unknown = leads.value.items.filter((lead) => !channels.has(lead.id));
    if (unknown.length === 0) return;
    const run = { cancelled: false };
    void (async () => {
      const found = new Map(channels);
      for (const lead of unknown) {
        const page = await unwrap(api.GET('/v1/leads/{id}/messages', { params: { path: { id: lead.id }, query: { limit: 100 } } }));
        found.set(lead.id, new Set(page.items.map((message) => message.channel)));
      }
      if (!run.cancelled) setChannels(found);
    })().catch((error: unknown) => setMoveError(error));
    return () => {
      run.cancelled = true;
    };
  }, [filters.channel, leads.value, api, channels]);

  const move = async (leadId: string, stage: Stage) => {
    const lead = leads.value?.items.find((item) => item.id === leadId);
    if (lead === undefined || lead.stage === stage) return;
    setMoving(leadId);
    setMoveError(null);
    try {
      await unwrap(api.POST('/v1/leads/{id}/stage', { params: { path: { id: leadId } }, body: { stage } }));
      leads.reload();
    } catch (error) {
      setMoveError(error);
    } finally {
      setMoving(null);
    }
  };

  if (leads.value === undefined) return leads.error === undefined ? <Loading /> : <ErrorNotice error={leads.error} />;
  const shown = filterLeads(leads.value.items, filters, channels);
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">{t('board.title')}</h1>
      <p class="hint">{t('board.help')}</p>
      <BoardFilterBar filters={filters} onChange={setFilters} />
      <p role="status" class="hint">
        {t('board.shown', { shown: shown.length, total: leads.value.items.length })}
        {leads.value.nextCursor === null ? '' : ` ${t('board.truncated', { limit: pageSize })}`}
      </p>
      {moveError === null ? null : <ErrorNotice error={moveError} />}
      <div class="board">
        {stageOrder.map((stage) => {
          const cards = shown.filter((lead) => lead.stage === stage);
          const titleId = `column-${stage}`;
          return (
            <section
              key={stage}
              class={`column${over === stage ? ' column-over' : ''}`}
              aria-labelledby={titleId}
              data-stage={stage}
              onDragOver={(event) => {
                event.preventDefault();
                setOver(stage);
              }}
              onDragLeave={() => setOver((current) => (current === stage ? null : current))}
              onDrop={(event) => {
                event.preventDefault();
                setOver(null);
                const leadId = event.dataTransfer?.getData(dragType) || event.dataTransfer?.getData('text/plain');
                if (leadId) void move(leadId, stage);
              }}
            >
              <h2 id={titleId}>
                {stageName(stage)} <span class="count">{cards.length}</span>
              </h2>
              <ul class="cards">
                {cards.map((lead) => (
                  <LeadCard key={lead.id} lead={lead} moving={moving === lead.id} />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </section>
  );
}
