/**
 * WhatsApp addresses as Evolution API reports them: a phone JID (`5511987654321@s.whatsapp.net`,
 * legacy `@c.us`, possibly with a `:device` suffix), an opaque `@lid` (an alias that does not
 * reveal the phone; the phone may come separately in `remoteJidAlt`/`senderPn`), or a group.
 */
import { ValidationError } from '../../errors/index.js';
import { PhoneNumber } from './phone-number.js';

export type WhatsAppAddress =
  | { readonly kind: 'phone'; readonly jid: string; readonly phone: PhoneNumber }
  | { readonly kind: 'lid'; readonly jid: string; readonly lid: string }
  | { readonly kind: 'group'; readonly jid: string };

const jidPattern = /^([0-9]{5,20})(?::\d+)?@(s\.whatsapp\.net|c\.us|lid|g\.us)$/;

/**
 * The phones of the JIDs parsed lately, by digits. Every delivery of a webhook names its sender's
 * JID, and parsing a number with its country's rules is the costliest step of reading it; a
 * `PhoneNumber` is immutable and depends on the digits alone, so a number seen again is not
 * parsed again. Only numbers that parsed are kept, at most `phoneCacheSize` (the oldest go first).
 */
const phoneCache = new Map<string, PhoneNumber>();
const phoneCacheSize = 10_000;

function phoneOfDigits(user: string, field: string): PhoneNumber {
  const cached = phoneCache.get(user);
  if (cached !== undefined) return cached;
  const phone = PhoneNumber.parse(`+${user}`, { field });
  if (phoneCache.size >= phoneCacheSize) phoneCache.delete(phoneCache.keys().next().value as string);
  phoneCache.set(user, phone);
  return phone;
}

/** Parses a JID, or throws a `ValidationError` naming `field`. */
export function parseWhatsAppJid(jid: string, field = 'jid'): WhatsAppAddress {
  const match = typeof jid === 'string' ? jidPattern.exec(jid.trim()) : null;
  if (!match) throw ValidationError.forField(field, 'is not a WhatsApp id (expected digits@s.whatsapp.net, digits@lid or digits@g.us)');
  const [, user = '', server] = match;
  if (server === 'lid') return { kind: 'lid', jid: `${user}@lid`, lid: user };
  if (server === 'g.us') return { kind: 'group', jid: `${user}@g.us` };
  // The jid keeps the digits as WhatsApp sent them (a legacy Brazilian id may lack the 9th
  // digit); `phone` is the canonical identity.
  const phone = phoneOfDigits(user, field);
  return { kind: 'phone', jid: `${user}@s.whatsapp.net`, phone };
}

/** The canonical phone JID of a number (`5511987654321@s.whatsapp.net`). */
export function formatWhatsAppJid(phone: PhoneNumber): string {
  return `${phone.digits}@s.whatsapp.net`;
}

/**
 * How a lead is recognised on a channel: by phone (canonical E.164) or by a WhatsApp `@lid`
 * alias when the channel hides the number.
 */
export type LeadIdentity =
  | { readonly kind: 'phone'; readonly phone: PhoneNumber }
  | { readonly kind: 'whatsapp_lid'; readonly lid: string };

/**
 * Resolves the identity of a WhatsApp sender: the phone when the JID or one of the alternates
 * (`remoteJidAlt`, `senderPn`) carries it, otherwise the `@lid` alias. `lid` is reported whichever
 * of the ids carried it, so that the alias can be linked to the lead. A malformed optional
 * alternate is ignored: the primary id is the one Evolution guarantees.
 */
export function identityFromWhatsApp(input: {
  remoteJid: string;
  remoteJidAlt?: string | null | undefined;
  senderPn?: string | null | undefined;
}): {
  identity: LeadIdentity;
  lid: string | undefined;
} {
  const primary = parseWhatsAppJid(input.remoteJid, 'remoteJid');
  if (primary.kind === 'group') throw ValidationError.forField('remoteJid', 'is a group, not a person');
  const alternates: WhatsAppAddress[] = [];
  for (const alternate of [input.remoteJidAlt, input.senderPn]) {
    if (!alternate) continue;
    try {
      alternates.push(parseWhatsAppJid(alternate));
    } catch {
      // ignored on purpose, see above
    }
  }
  const all = [primary, ...alternates];
  const lid = all.find((address) => address.kind === 'lid')?.lid;
  const phone = all.find((address) => address.kind === 'phone')?.phone;
  if (phone) return { identity: { kind: 'phone', phone }, lid };
  // No phone anywhere: the primary id is then the lid (a phone primary returned above).
  const primaryLid = primary.kind === 'lid' ? primary.lid : (lid ?? primary.jid);
  return { identity: { kind: 'whatsapp_lid', lid: primaryLid }, lid: primaryLid };
}
