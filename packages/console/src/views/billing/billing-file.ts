/** Reading a billing batch file: the JSON `{ "items": [...] }` that `sdr billing plan` reads too. */

/** The items of a batch file, or an error naming what is wrong with it. */
export function parseBatchFile(text: string): { readonly items: unknown[] } | { readonly error: 'not_json' | 'no_items' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'not_json' };
  }
  const items = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null
      ? (parsed as { items?: unknown }).items
      : undefined;
  return Array.isArray(items) ? { items } : { error: 'no_items' };
}
