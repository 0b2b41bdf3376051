/**
 * Reads samples out of the Prometheus text format, as a scraper would: `sample(text,
 * 'sdr_outbox_depth', { topic: 'crm' })` is the value of that series, `undefined` when absent.
 */
export function sample(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = new Map<string, string>();
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      present.set(pair[1] ?? '', pair[2] ?? '');
    if (present.size !== wanted.length) continue;
    if (wanted.every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}
