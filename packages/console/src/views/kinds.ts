/** Names of the kinds of scheduled messages, for texts that carry a kind as a plain string. */
import type { ScheduledMessage } from '../api/client.js';
import type { MessageKey } from '../i18n/i18n.js';

const kinds: readonly ScheduledMessage['kind'][] = ['reengage_1', 'reengage_2', 'give_up', 'reminder_24h', 'reminder_2h', 'billing_step'];

/** The catalog key of `kind`'s name; `null` for a kind the console does not know. */
export function kindLabel(kind: string): MessageKey | null {
  const known = kinds.find((candidate) => candidate === kind);
  return known === undefined ? null : `kind.${known}`;
}
