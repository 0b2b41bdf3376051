/**
 * In-memory `MessageRepository`. A message whose provider id (per tenant and channel) is
 * already stored is not written again: re-delivered webhooks are harmless.
 */
import { ValidationError } from '../../errors/index.js';
import { messageSchema, type Message } from '../../domain/model/message.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { MessageRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { assertNewId, findScoped, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';

/** How many messages `listByLead` returns when the caller gives no `limit`. */
export const defaultMessageListLimit = 50;

/** The message repository over `runtime`. */
export function createMessageRepository(runtime: StoreRuntime): MessageRepository {
  return {
    append: (message) =>
      runtime.write('messages.append', (unit) => {
        const row = parseOrThrow(messageSchema, message, 'message');
        const table = unit.table('messages');
        if (row.providerMessageId !== null) {
          const existing = rowsOf(table, row.tenantId).find(
            (other) => other.channel === row.channel && other.providerMessageId === row.providerMessageId,
          );
          if (existing) return { message: cloneValue(existing), created: false };
        }
        assertNewId(table, row.id, 'message');
        table.set(row.id, row);
        return { message: cloneValue(row), created: true };
      }),

    get: (tenantId, id) => runtime.read('messages.get', (unit) => cloneOrNull(findScoped(unit.table('messages'), tenantId, id))),

    findByProviderMessageId: (tenantId, channel, providerMessageId) =>
      runtime.read('messages.findByProviderMessageId', (unit) =>
        cloneOrNull(
          rowsOf(unit.table('messages'), tenantId).find(
            (message) => message.channel === channel && message.providerMessageId === providerMessageId,
          ),
        ),
      ),

    listByLead: (tenantId, leadId, options) =>
      runtime.read('messages.listByLead', (unit) => {
        const limit = options?.limit ?? defaultMessageListLimit;
        if (!Number.isInteger(limit) || limit < 0) throw ValidationError.forField('limit', 'must be a whole number, 0 or more');
        const before = options?.before;
        // Chronological by `createdAt`; messages stamped with the same instant keep the order
        // they were appended in (a stable sort over insertion order).
        const chronological = rowsOf(unit.table('messages'), tenantId)
          .filter((message) => message.leadId === leadId && (before === undefined || message.createdAt < before))
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
        return (limit === 0 ? [] : chronological.slice(-limit)).map((message: Message) => cloneValue(message));
      }),
  };
}
