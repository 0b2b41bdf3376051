/**
 * The timeline of a simulated journey, read from the store itself: after every step the
 * simulator compares the lead and its scheduled messages with what they were, so the timeline
 * shows what the real services and the dispatcher persisted — not what they announced.
 */
import { NotFoundError } from '../../errors/index.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { AutomationState, Stage } from '../model/lead.js';
import type { ScheduledKind, ScheduledMessage, ScheduledStatus } from '../model/scheduled-message.js';
import type { ScenarioEventInput } from './scenario-schema.js';

/**
 * One line of the timeline. `at` is ISO-8601 UTC. The `--json` output of `sdr simulate` is
 * these entries, one per line, without `shifts` (see `journeyEntryJson`).
 */
export type JourneyEntry =
  | { readonly at: string; readonly type: 'event'; readonly event: ScenarioEventInput }
  | {
      readonly at: string;
      readonly type: 'message.scheduled';
      readonly kind: ScheduledKind;
      readonly dueAt: string;
      /** Why the due time moved (`business_hours`, `quiet_hours`, or `deferred` by the dispatcher). */
      readonly shifts: readonly string[];
    }
  | { readonly at: string; readonly type: 'message.sent'; readonly kind: ScheduledKind; readonly text: string }
  | { readonly at: string; readonly type: 'message.skipped'; readonly kind: ScheduledKind; readonly reason: string }
  | { readonly at: string; readonly type: 'message.cancelled'; readonly kind: ScheduledKind; readonly reason: string }
  | { readonly at: string; readonly type: 'stage.changed'; readonly from: Stage; readonly to: Stage }
  | { readonly at: string; readonly type: 'automation.changed'; readonly from: AutomationState; readonly to: AutomationState };

/** The public JSON form of an entry: exactly the fields of the `--json` contract. */
export function journeyEntryJson(entry: JourneyEntry): Record<string, unknown> {
  if (entry.type !== 'message.scheduled') return { ...entry };
  const { shifts: _shifts, ...json } = entry;
  return json;
}

interface RowState {
  readonly status: ScheduledStatus;
  readonly dueAt: number;
}

interface Snapshot {
  readonly stage: Stage;
  readonly automation: AutomationState;
  readonly rows: ReadonlyMap<string, RowState>;
}

// Within one instant: what the lead became, then what was sent, then what was withdrawn, then
// what is planned — the order in which a reader makes sense of a step.
const order: Record<JourneyEntry['type'], number> = {
  event: 0,
  'stage.changed': 1,
  'automation.changed': 2,
  'message.sent': 3,
  'message.skipped': 4,
  'message.cancelled': 5,
  'message.scheduled': 6,
};

/** Watches one lead's state in the store and reports what changed since the last look. */
export interface JourneyWatcher {
  /** The entries for everything that changed since the previous call, stamped `at`. */
  changes(at: Date): Promise<JourneyEntry[]>;
}

/** Starts watching `leadId` (its current state is the baseline). */
export async function watchJourney(store: Store, tenantId: string, leadId: string): Promise<JourneyWatcher> {
  const look = async (): Promise<{ snapshot: Snapshot; rows: ScheduledMessage[] }> => {
    const lead = await store.leads.get(tenantId, leadId);
    if (!lead) throw new NotFoundError('lead', leadId);
    const rows = await store.scheduledMessages.list({ tenantId, leadId, limit: 100_000 });
    const states = new Map(rows.map((row) => [row.id, { status: row.status, dueAt: row.dueAt.getTime() }]));
    return { snapshot: { stage: lead.stage, automation: lead.automation, rows: states }, rows };
  };
  let previous = (await look()).snapshot;

  return {
    async changes(at) {
      const { snapshot, rows } = await look();
      const stamp = at.toISOString();
      const entries: JourneyEntry[] = [];
      if (snapshot.stage !== previous.stage) entries.push({ at: stamp, type: 'stage.changed', from: previous.stage, to: snapshot.stage });
      if (snapshot.automation !== previous.automation) {
        entries.push({ at: stamp, type: 'automation.changed', from: previous.automation, to: snapshot.automation });
      }
      const texts = await sentTexts(store, tenantId, leadId, rows, previous);
      for (const row of rows) entries.push(...rowChanges(row, previous.rows.get(row.id), stamp, texts));
      previous = snapshot;
      return entries.sort((a, b) => order[a.type] - order[b.type]);
    },
  };
}

function rowChanges(row: ScheduledMessage, before: RowState | undefined, at: string, texts: ReadonlyMap<string, string>): JourneyEntry[] {
  const entries: JourneyEntry[] = [];
  const dueAt = row.dueAt.toISOString();
  if (before === undefined) entries.push({ at, type: 'message.scheduled', kind: row.kind, dueAt, shifts: shiftsOf(row) });
  else if (row.status === 'pending' && before.dueAt !== row.dueAt.getTime()) {
    entries.push({ at, type: 'message.scheduled', kind: row.kind, dueAt, shifts: ['deferred'] });
  }
  if (row.status === (before?.status ?? 'pending')) return entries;
  switch (row.status) {
    case 'sent':
      // A sent `give_up` is a performed action, not a message: its stage change tells the story.
      if (row.kind !== 'give_up') entries.push({ at, type: 'message.sent', kind: row.kind, text: texts.get(row.id) ?? '' });
      break;
    case 'skipped':
      entries.push({ at, type: 'message.skipped', kind: row.kind, reason: row.skipReason ?? 'skipped' });
      break;
    case 'failed':
      entries.push({ at, type: 'message.skipped', kind: row.kind, reason: `failed: ${row.lastError?.code ?? 'unknown'}` });
      break;
    case 'cancelled':
      entries.push({ at, type: 'message.cancelled', kind: row.kind, reason: row.cancelReason ?? 'cancelled' });
      break;
    case 'pending':
    case 'sending':
      break;
  }
  return entries;
}

/** The texts of the messages sent since the previous look, by scheduled-message id. */
async function sentTexts(
  store: Store,
  tenantId: string,
  leadId: string,
  rows: readonly ScheduledMessage[],
  previous: Snapshot,
): Promise<Map<string, string>> {
  const newlySent = rows.some((row) => row.status === 'sent' && previous.rows.get(row.id)?.status !== 'sent');
  if (!newlySent) return new Map();
  const messages = await store.messages.listByLead(tenantId, leadId, { limit: 100_000 });
  return new Map(
    messages.filter((message) => message.scheduledMessageId !== null).map((message) => [message.scheduledMessageId ?? '', message.body]),
  );
}

/** The shift types of the row's stored explanation. */
function shiftsOf(row: ScheduledMessage): string[] {
  const explanation = row.explanation;
  if (explanation === null || typeof explanation !== 'object' || Array.isArray(explanation)) return [];
  const shifts = explanation['shifts'];
  if (!Array.isArray(shifts)) return [];
  return shifts.flatMap((shift) =>
    shift !== null && typeof shift === 'object' && !Array.isArray(shift) && typeof shift['type'] === 'string' ? [shift['type']] : [],
  );
}
