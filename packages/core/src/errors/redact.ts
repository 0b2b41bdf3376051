/**
 * Redaction of secrets and personal data before anything reaches an error, a log line or an
 * API response. Keys that name secrets are replaced whole; phone numbers and e-mail addresses
 * inside any string are masked; long strings are truncated.
 */

const secretKey = /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|cookie|signature|credential|private[-_]?key|jwt/i;
// The domain's last label starts with a letter (no top-level domain is a number), so a package
// version in a stack trace (`zod@4.6.7`) is not taken for an address.
const emailPattern = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)/g;
// A run of at least 8 digits, optionally with a leading +, spaces, dots, dashes or parentheses
// inside, that is not part of a longer word (UUID segments and hex ids do not match) and does not
// start like an ISO date (`2026-04-21`, which has eight digits and dashes like a phone).
const phonePattern = /(?<![\w-])(?!\d{4}-\d{2}-\d{2}(?!\d))\+?\d[\d\s().-]{6,}\d(?![\w-])/g;

export const REDACTED = '[redacted]';
// Ten digits: the shortest full national number of the markets served (US) — shorter runs are
// record ids (Kommo ids have 8–9 digits), not phones.
const minPhoneDigits = 10;
const maxStringLength = 2000;
const maxDepth = 8;

/**
 * Masks a digit string, keeping the country code and the last four digits readable:
 * `5511987654321` ⇒ `55119****4321`. At least four digits are always hidden.
 */
export function maskDigits(digits: string): string {
  const visibleTail = Math.min(4, Math.max(0, digits.length - 4));
  const visibleHead = Math.max(0, Math.min(5, digits.length - visibleTail - 4));
  const hidden = digits.length - visibleHead - visibleTail;
  return digits.slice(0, visibleHead) + '*'.repeat(hidden) + digits.slice(digits.length - visibleTail);
}

/** Masks every phone number and e-mail address found inside free text. */
export function maskPersonalData(text: string): string {
  return text
    .replace(emailPattern, (_match, first: string, domain: string) => `${first}***@${domain}`)
    .replace(phonePattern, (match) => {
      const digits = match.replace(/\D/g, '');
      if (digits.length < minPhoneDigits) return match;
      return (match.trimStart().startsWith('+') ? '+' : '') + maskDigits(digits);
    });
}

/**
 * Returns a deep copy of `value` with secret-named keys replaced by `[redacted]` and personal
 * data masked in every string. Never throws (cycles and exotic objects are summarised).
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') {
    const masked = maskPersonalData(value);
    return masked.length > maxStringLength ? `${masked.slice(0, maxStringLength)}…[truncated]` : masked;
  }
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: redactValue(value.message, depth + 1, seen) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = secretKey.test(key) ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return out;
}
