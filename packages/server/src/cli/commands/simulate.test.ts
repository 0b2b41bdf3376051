import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../__fixtures__/run-command-line.js';
import { exitCodes } from '../command.js';

const journeys = new URL('../../../../../examples/journeys/', import.meta.url);

const scenarioNames = (await readdir(journeys)).filter((name) => name.endsWith('.json')).sort();

describe('sdr simulate --json on the committed example journeys', () => {
  it('has at least six examples, each with its expected output', async () => {
    expect(scenarioNames.length).toBeGreaterThanOrEqual(6);
    const files = await readdir(journeys);
    for (const name of scenarioNames) expect(files).toContain(name.replace(/\.json$/, '.expected.jsonl'));
  });

  it.each(scenarioNames)('%s prints exactly its expected timeline', async (name) => {
    const run = await runCommandLine(['simulate', new URL(name, journeys).pathname, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(exitCodes.ok);
    const expected = await readFile(new URL(name.replace(/\.json$/, '.expected.jsonl'), journeys), 'utf8');
    expect(run.stdout).toBe(expected);
  });

  it.each(scenarioNames)('%s: one JSON object per line, in time order, with the contract’s fields', async (name) => {
    const run = await runCommandLine(['simulate', new URL(name, journeys).pathname, '--json']);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const fields: Record<string, string[]> = {
      event: ['at', 'type', 'event'],
      'message.scheduled': ['at', 'type', 'kind', 'dueAt'],
      'message.sent': ['at', 'type', 'kind', 'text'],
      'message.skipped': ['at', 'type', 'kind', 'reason'],
      'message.cancelled': ['at', 'type', 'kind', 'reason'],
      'stage.changed': ['at', 'type', 'from', 'to'],
      'automation.changed': ['at', 'type', 'from', 'to'],
    };
    let previous = '';
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([...(fields[String(line['type'])] ?? ['unknown type'])].sort());
      expect(String(line['at'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(String(line['at']) >= previous).toBe(true);
      previous = String(line['at']);
    }
  });

  it('the Friday-evening silence: #1 Monday 09:00, #2 24 h after it was sent, give-up 24 h after #2, no message', async () => {
    const run = await runCommandLine(['simulate', new URL('02-friday-evening-silence-gives-up.json', journeys).pathname, '--json']);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.filter((line) => line['type'] === 'message.sent').map((line) => [line['kind'], line['at']])).toEqual([
      ['reengage_1', '2026-03-09T12:00:00.000Z'],
      ['reengage_2', '2026-03-10T12:00:00.000Z'],
    ]);
    expect(lines.find((line) => line['type'] === 'stage.changed')).toEqual({
      at: '2026-03-11T12:00:00.000Z',
      type: 'stage.changed',
      from: 'new',
      to: 'not_interested',
    });
  });
});

describe('sdr simulate, readable', () => {
  it('prints the timeline in the tenant’s local time, offsets included', async () => {
    const run = await runCommandLine(['simulate', new URL('06-dst-new-york.json', journeys).pathname]);
    expect(run.code).toBe(exitCodes.ok);
    const text = run.stdout;
    expect(text).toContain('Journey of Frank Miller (+121****0147) in America/New_York');
    expect(text).toContain('Fri 2026-03-06 17:50 -05:00  → agent: "Hi Frank, shall I send over the proposal?"');
    expect(text).toContain('· reengage_1 scheduled for Mon 2026-03-09 09:00 -04:00 (moved to the next opening)');
    expect(text).toContain('· reminder_2h scheduled for Tue 2026-03-10 08:00 -04:00 (moved out of quiet hours)');
    expect(text).toMatch(/2 sent, 0 skipped, 1 cancelled; the lead ends in stage meeting_scheduled, automation active\.\n$/);
  });
});

describe('sdr simulate, bad input (exit 2)', () => {
  const scenario = (events: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      tenant: { timeZone: 'America/Sao_Paulo' },
      lead: { name: 'Ana', phone: '+55 11 98765-4321' },
      start: '2026-03-02T13:00:00Z',
      until: '+1d',
      events,
      ...extra,
    });

  it.each([
    ['an event time that is neither relative nor an instant', scenario([{ at: 'soon', type: 'outbound', text: 'Oi' }]), 'events.0.at'],
    ['an event after until', scenario([{ at: '+2d', type: 'outbound', text: 'Oi' }]), 'events.0.at'],
    ['an unknown event type', scenario([{ at: '+1m', type: 'wave' }]), 'events.0.type'],
    ['an unknown field', scenario([{ at: '+1m', type: 'inbound', text: 'Oi', mood: 'happy' }]), 'events.0.mood'],
    ['a cancel with nothing booked', scenario([{ at: '+1m', type: 'cancel' }]), 'events.0.type'],
    ['a meeting that starts before it is booked', scenario([{ at: '+2h', type: 'book', start: '+1h' }]), 'events.0.start'],
    ['a bad time zone', scenario([], { tenant: { timeZone: 'Mars/Olympus' } }), 'tenant.timeZone'],
    ['a missing time zone', scenario([], { tenant: {} }), 'tenant.timeZone'],
    ['a bad phone', scenario([], { lead: { phone: '123' } }), 'lead.phone'],
    ['until before start', scenario([], { until: '2026-03-01T00:00:00Z' }), 'until'],
  ])('%s names the field', async (_label, text, field) => {
    const run = await runCommandLine(['simulate', 'scenario.json'], { 'scenario.json': text });
    expect(run.code).toBe(exitCodes.usage);
    expect(run.stderr).toMatch(new RegExp(`^error: .*${field.replace(/\./g, '\\.')}: `));
    expect(run.stdout).toBe('');
  });

  it('a file that is not JSON, or cannot be read', async () => {
    const broken = await runCommandLine(['simulate', 'scenario.json'], { 'scenario.json': '{ "tenant": ' });
    expect(broken.code).toBe(exitCodes.usage);
    expect(broken.stderr).toMatch(/^error: scenario: scenario\.json is not valid JSON/);
    const missing = await runCommandLine(['simulate', '/nonexistent/scenario.json']);
    expect(missing.code).toBe(exitCodes.usage);
    expect(missing.stderr).toMatch(/^error: scenario: cannot read \/nonexistent\/scenario\.json/);
  });

  it.each([[[]], [['a.json', 'b.json']], [['a.json', '--yaml']]])('usage errors: %j', async (args) => {
    const run = await runCommandLine(['simulate', ...args]);
    expect(run.code).toBe(exitCodes.usage);
    expect(run.stderr).toContain('usage: sdr simulate <scenario.json> [--json]');
  });
});
