/**
 * `sdr simulate <scenario.json> [--json]`: plays a lead's journey on a virtual clock through the
 * real follow-up engine and dispatcher, and prints the timeline — readable, in the tenant's
 * local time, or with `--json` one JSON object per line in time order (a stable contract).
 */
import { ValidationError, journeyEntryJson, simulateJourney } from '@sdr/core';
import { exitCodes, type CliCommand } from '../command.js';
import { formatJourneyTimeline } from './simulate-timeline.js';

const usage = `usage: sdr simulate <scenario.json> [--json]

Plays the scenario's events (outbound, inbound, book, reschedule, cancel, handoff, resume,
optout, stage) for one lead, on a virtual clock, through the real follow-up engine and
dispatcher, and prints what happened. --json prints one JSON object per line.`;

/** The `simulate` sub-command. */
export const simulateCommand: CliCommand = {
  path: ['simulate'],
  summary: 'play a lead journey on a virtual clock and print its timeline',
  usage,
  async run(args, io) {
    const json = args.includes('--json');
    const rest = args.filter((arg) => arg !== '--json');
    const [file, ...extra] = rest;
    const unknown = rest.find((arg) => arg.startsWith('-'));
    if (file === undefined || extra.length > 0 || unknown !== undefined) {
      io.stderr(`${unknown ? `unknown option ${unknown}\n` : ''}${usage}\n`);
      return exitCodes.usage;
    }
    const result = await simulateJourney(await readScenario(file, io.readFile));
    if (json) {
      for (const entry of result.entries) io.stdout(`${JSON.stringify(journeyEntryJson(entry))}\n`);
    } else {
      io.stdout(formatJourneyTimeline(result));
    }
    return exitCodes.ok;
  },
};

/** The scenario file as a JSON value; an unreadable or malformed file is invalid input (exit 2). */
async function readScenario(file: string, readFile: (path: string) => Promise<string>): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file);
  } catch (error) {
    throw ValidationError.forField('scenario', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw ValidationError.forField('scenario', `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
