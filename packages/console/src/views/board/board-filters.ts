/** The board's filters, as a pure function of the leads (and, for the channel, what they wrote on). */
import type { AutomationState, Channel, Lead } from '../../api/client.js';

/** What the board shows. `all` keeps every lead. */
export interface BoardFilters {
  readonly automation: AutomationState | 'all';
  readonly optedOut: 'all' | 'yes' | 'no';
  readonly channel: Channel | 'all';
}

export const noFilters: BoardFilters = { automation: 'all', optedOut: 'all', channel: 'all' };

/**
 * The leads that pass every filter. A channel filter keeps the leads whose conversation used the
 * channel; a lead whose channels are not known yet (`channels` has no entry) is kept until they are.
 */
export function filterLeads(leads: readonly Lead[], filters: BoardFilters, channels: ReadonlyMap<string, ReadonlySet<Channel>>): Lead[] {
  return leads.filter((lead) => {
    if (filters.automation !== 'all' && lead.automation !== filters.automation) return false;
    if (filters.optedOut !== 'all' && lead.optedOut !== (filters.optedOut === 'yes')) return false;
    if (filters.channel !== 'all') {
      const used = channels.get(lead.id);
      if (used !== undefined && !used.has(filters.channel)) return false;
    }
    return true;
  });
}
