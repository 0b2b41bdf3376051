/**
 * `sdr agent settings get|set --tenant <id>`: a tenant's agent settings (persona) from a script,
 * through the same store as `/v1/agent/settings` — same validation, same versions. Uses the
 * environment of `sdr serve` (the database).
 */
import process from 'node:process';
import { NotFoundError, ValidationError, systemClock } from '@sdr/core';
import { createPostgresStore } from '@sdr/store-postgres';
import { createAgentSettingsStore } from '../../agent/agent-settings-store.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { exitCodes, type CliCommand, type CliIo } from '../command.js';

const usage = [
  'usage: sdr agent settings get --tenant <id>',
  '       sdr agent settings set --tenant <id> (--json <json> | --file <path>)',
  '',
  'set replaces the settings: name, company, goal, questions ([{ "field", "question" }]), tone,',
  'language, facts, limits, enabled; a field left out takes its default. Answers are JSON.',
].join('\n');

interface Parsed {
  readonly action: 'get' | 'set';
  readonly tenant: string;
  readonly json: string | undefined;
  readonly file: string | undefined;
}

const knownFlags = ['--tenant', '--json', '--file'];

function parse(args: readonly string[]): Parsed {
  const [action = '', ...rest] = args;
  if (action !== 'get' && action !== 'set') throw ValidationError.forField('action', 'must be get or set');
  const flags = new Map<string, string>();
  for (let index = 0; index < rest.length; index += 1) {
    const word = rest[index] ?? '';
    if (!knownFlags.includes(word)) throw ValidationError.forField(word, `is not an option of agent settings ${action}`);
    const value = rest[index + 1];
    if (value === undefined) throw ValidationError.forField(word, 'needs a value');
    flags.set(word, value);
    index += 1;
  }
  const tenant = flags.get('--tenant');
  if (tenant === undefined) throw ValidationError.forField('--tenant', 'is required');
  const json = flags.get('--json');
  const file = flags.get('--file');
  if (action === 'set' && (json === undefined) === (file === undefined)) {
    throw ValidationError.forField('--json', 'set needs the settings: exactly one of --json or --file');
  }
  if (action === 'get' && (json !== undefined || file !== undefined)) {
    throw ValidationError.forField(json === undefined ? '--file' : '--json', 'is only for set');
  }
  return { action, tenant, json, file };
}

async function settingsOf(parsed: Parsed, io: CliIo): Promise<unknown> {
  const text = parsed.file === undefined ? (parsed.json ?? '') : await io.readFile(parsed.file);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ValidationError.forField(parsed.file === undefined ? '--json' : '--file', 'must be JSON');
  }
}

export const agentSettingsCommand: CliCommand = {
  path: ['agent', 'settings'],
  summary: 'read or set a tenant’s agent settings (as /v1/agent/settings does)',
  usage,
  async run(args, io) {
    const parsed = parse(args);
    const input = parsed.action === 'set' ? await settingsOf(parsed, io) : undefined;
    const config = loadConfig(process.env);
    const database = await openServerDatabase(config.database);
    try {
      const tenant = await createPostgresStore({ db: database.connection }).tenants.get(parsed.tenant);
      if (tenant === null) throw new NotFoundError('tenant', parsed.tenant);
      const settings = createAgentSettingsStore({ db: database.database, clock: systemClock });
      const answer = parsed.action === 'get' ? await settings.get(tenant.id) : await settings.set(tenant.id, input);
      io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
      return exitCodes.ok;
    } finally {
      await database.close();
    }
  },
};
