/**
 * Cursor paging over a lead's conversation, newest page first, each page in chronological
 * order. The repository reads "the latest N before an instant"; the cursor keeps that instant
 * and the ids already returned at it, so that messages sharing one instant are neither skipped
 * nor repeated across pages.
 */
import { Buffer } from 'node:buffer';
import { ValidationError, storableEpochMsSchema, type Message, type MessageRepository } from '@sdr/core';
import { z } from 'zod';

// The page reads up to `before + 1`, which must be an instant the store can hold as well.
const cursorSchema = z.object({
  before: storableEpochMsSchema.refine((before) => storableEpochMsSchema.safeParse(before + 1).success),
  seen: z.array(z.string()).max(1000),
});
type MessageCursor = z.infer<typeof cursorSchema>;

function decode(cursor: string): MessageCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw ValidationError.forField('query.cursor', 'is not a cursor returned by this list');
  }
}

function encode(cursor: MessageCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** One page of a lead's messages. */
export async function pageOfMessages(
  messages: Pick<MessageRepository, 'listByLead'>,
  input: { readonly tenantId: string; readonly leadId: string; readonly limit: number; readonly cursor?: string | undefined },
): Promise<{ readonly items: Message[]; readonly nextCursor: string | null }> {
  const cursor = input.cursor === undefined ? undefined : decode(input.cursor);
  const seen = new Set(cursor?.seen ?? []);
  // Read up to the cursor's instant included, plus as many as were already returned at it.
  const fetched = await messages.listByLead(input.tenantId, input.leadId, {
    limit: input.limit + seen.size + 1,
    ...(cursor === undefined ? {} : { before: new Date(cursor.before + 1) }),
  });
  const fresh = fetched.filter((message) => !seen.has(message.id));
  const items = fresh.slice(Math.max(0, fresh.length - input.limit));
  const more = fresh.length > items.length;
  const oldest = items[0];
  if (!more || oldest === undefined) return { items, nextCursor: null };
  const before = oldest.createdAt.getTime();
  const atBoundary = items.filter((message) => message.createdAt.getTime() === before).map((message) => message.id);
  const carried = cursor !== undefined && cursor.before === before ? cursor.seen : [];
  return { items, nextCursor: encode({ before, seen: [...carried, ...atBoundary] }) };
}
