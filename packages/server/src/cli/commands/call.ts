/**
 * `sdr call --tenant <id>`: a phone in the terminal. It plays Twilio's side of a ConversationRelay
 * call against the running server — the signed `voice` webhook, the signed WebSocket, `setup`,
 * then one `prompt` per line typed — and prints the agent's words as they stream. `/press <digit>`
 * sends a keypad digit, `/hangup` (or the end of input) hangs up. When the agent hands the call
 * over, the `action` webhook is played and its answer (`<Dial>` a person, or `<Hangup/>`) shown.
 *
 * The line's Auth Token and public base URL come from `--auth-token`/`--public-base-url`, else
 * from the demo line the server wrote in its data directory, else from the tenant's voice
 * integration in the database (PostgreSQL only: the embedded database is the running server's).
 */
import process from 'node:process';
import { ValidationError, noopLogger } from '@sdr/core';
import { composeServer } from '../../runtime/compose.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { dialTwilioPhone, readDemoPhoneLine } from '../../voice/index.js';
import { exitCodes, type CliCommand, type CliIo } from '../command.js';

const usage = [
  'usage: sdr call --tenant <id> [--from <E.164>] [--url <server URL>] [--auth-token <token> --public-base-url <url>]',
  '',
  'Type what the caller says, one line at a time. /press <digit> sends a keypad digit; /hangup hangs up.',
].join('\n');

interface Line {
  readonly tenantId: string;
  readonly publicBaseUrl: string;
  readonly authToken: string;
}

function flagsOf(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] ?? '';
    if (!word.startsWith('--')) throw ValidationError.forField(word, 'unexpected argument');
    const value = args[index + 1];
    if (value === undefined) throw ValidationError.forField(word, 'needs a value');
    flags.set(word, value);
    index += 1;
  }
  return flags;
}

async function lineOf(tenantId: string, flags: Map<string, string>): Promise<Line> {
  const authToken = flags.get('--auth-token');
  const publicBaseUrl = flags.get('--public-base-url');
  if (authToken !== undefined || publicBaseUrl !== undefined) {
    if (authToken === undefined) throw ValidationError.forField('--auth-token', 'is required with --public-base-url');
    if (publicBaseUrl === undefined) throw ValidationError.forField('--public-base-url', 'is required with --auth-token');
    return { tenantId, authToken, publicBaseUrl: publicBaseUrl.replace(/\/+$/, '') };
  }
  const settings = loadConfig(process.env);
  const demo = await readDemoPhoneLine(settings.dataDir);
  if (demo?.tenantId === tenantId) return demo;
  if (settings.database.kind !== 'postgres') {
    throw ValidationError.forField(
      '--tenant',
      'has no demo phone line here: pass --auth-token and --public-base-url of its voice integration',
    );
  }
  const database = await openServerDatabase(settings.database);
  try {
    const composition = await composeServer({ config: settings, database, logger: noopLogger });
    try {
      const voice = composition.voiceFor(tenantId);
      if (voice === null)
        throw ValidationError.forField(
          '--tenant',
          'has no Twilio voice integration (PUT /v1/integrations/voice); or pass --auth-token and --public-base-url',
        );
      return { tenantId, authToken: voice.config.authToken, publicBaseUrl: voice.config.publicBaseUrl.replace(/\/+$/, '') };
    } finally {
      await composition.close();
    }
  } finally {
    await database.close();
  }
}

async function converse(io: CliIo, line: Line, flags: Map<string, string>): Promise<number> {
  const from = flags.get('--from') ?? '+5511912345678';
  if (!/^\+[1-9]\d{6,14}$/.test(from)) throw ValidationError.forField('--from', 'must be an E.164 phone number, e.g. +5511912345678');
  const phone = await dialTwilioPhone({
    serverUrl: (flags.get('--url') ?? line.publicBaseUrl).replace(/\/+$/, ''),
    publicBaseUrl: line.publicBaseUrl,
    authToken: line.authToken,
    tenantId: line.tenantId,
    from,
    onToken: (token, last) => io.stdout(last ? `${token}\n` : token),
  });
  io.stderr(`connected (call ${phone.callSid}); type what you say, /hangup to hang up\n`);
  // Set by the server's `end` (read through a call: it changes while lines are read).
  const handoff = { seen: false };
  void phone.ended.then(() => (handoff.seen = true));
  const handedOff = () => handoff.seen;
  const lines = io.readLines?.() ?? [];
  for await (const typed of lines) {
    const text = typed.trim();
    if (text === '') continue;
    if (text === '/hangup') break;
    const digit = /^\/press\s+([0-9*#])$/.exec(text)?.[1];
    if (digit !== undefined) {
      phone.press(digit);
      continue;
    }
    io.stdout('agent: ');
    await phone.say(text);
    if (handedOff()) break;
  }
  if (handedOff()) {
    const end = await phone.ended;
    io.stderr(`the agent handed the call over (${end.handoffData ?? 'no reason'})\n`);
    io.stdout(`action: ${await phone.action()}\n`);
  }
  await phone.hangUp();
  io.stderr('call ended\n');
  return exitCodes.ok;
}

export const callCommand: CliCommand = {
  path: ['call'],
  summary: 'call a tenant’s phone agent from the terminal (plays Twilio’s side of ConversationRelay)',
  usage,
  async run(args, io) {
    const flags = flagsOf(args);
    const tenantId = flags.get('--tenant');
    if (tenantId === undefined) throw ValidationError.forField('--tenant', 'is required');
    return converse(io, await lineOf(tenantId, flags), flags);
  },
};
