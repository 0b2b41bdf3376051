/**
 * `sdr alert-channels add|list|remove --tenant <id>`: a tenant's alert channels from a script,
 * through the same service as `/v1/alert-channels` — same validation, same sealing, same
 * redacted answers. Uses the environment of `sdr serve` (database, encryption key).
 */
import process from 'node:process';
import { ValidationError, noopLogger } from '@sdr/core';
import { parseChannelType } from '../../alerts-notify/alert-channel-service.js';
import { composeServer } from '../../runtime/compose.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { readJsonConfig, splitArguments } from '../arguments.js';
import { exitCodes, type CliCommand } from '../command.js';

const usage = [
  'usage: sdr alert-channels list   --tenant <id>',
  '       sdr alert-channels add    --tenant <id> <type> (--config <json> | --config-file <path>) [--events raised,resolved] [--description <text>]',
  '       sdr alert-channels remove --tenant <id> <channel id>',
  '',
  'Types: slack, telegram, webhook, email. Answers are JSON, secrets redacted.',
].join('\n');

function parseEvents(value: string | undefined): ('raised' | 'resolved')[] | undefined {
  if (value === undefined) return undefined;
  const events = value.split(',').map((event) => event.trim());
  const unknown = events.filter((event) => event !== 'raised' && event !== 'resolved');
  if (events.length === 0 || unknown.length > 0)
    throw ValidationError.forField('--events', 'must list raised and/or resolved, comma-separated');
  return events as ('raised' | 'resolved')[];
}

export const alertChannelsCommand: CliCommand = {
  path: ['alert-channels'],
  summary: 'add, list or remove a tenant’s alert channels (as /v1/alert-channels does)',
  usage,
  async run(args, io) {
    const [action = '', ...rest] = args;
    if (!['list', 'add', 'remove'].includes(action)) throw ValidationError.forField('action', 'must be list, add or remove');
    const { flags, positional } = splitArguments(rest);
    const tenant = flags.get('--tenant');
    if (tenant === undefined) throw ValidationError.forField('--tenant', 'is required');
    const target = positional[0];
    if (action !== 'list' && target === undefined)
      throw ValidationError.forField(action === 'add' ? 'type' : 'channel id', `is required for ${action}`);
    if (action === 'add' && !flags.has('--config') && !flags.has('--config-file'))
      throw ValidationError.forField('--config', 'is required for add (or --config-file)');
    const add =
      action === 'add'
        ? {
            type: parseChannelType(target ?? ''),
            config: await readJsonConfig(flags, (path) => io.readFile(path)),
            events: parseEvents(flags.get('--events')),
            description: flags.get('--description'),
          }
        : undefined;
    const settings = loadConfig(process.env);
    const database = await openServerDatabase(settings.database);
    try {
      const composition = await composeServer({ config: settings, database, logger: noopLogger });
      try {
        const { alertChannels } = composition;
        if (action === 'remove') {
          await alertChannels.remove(tenant, target ?? '');
          io.stdout(`${JSON.stringify({ removed: target }, null, 2)}\n`);
          return exitCodes.ok;
        }
        const answer = add === undefined ? { items: await alertChannels.list(tenant) } : await alertChannels.create(tenant, add);
        io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
        return exitCodes.ok;
      } finally {
        await composition.close();
      }
    } finally {
      await database.close();
    }
  },
};
