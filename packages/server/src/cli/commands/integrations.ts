/**
 * `sdr integrations set|list|check|remove --tenant <id>`: a tenant's integrations from a script
 * (a deploy), through the same service as `/v1/integrations` — same validation, same sealing,
 * same redacted answers. Uses the environment of `sdr serve` (database, encryption key).
 */
import process from 'node:process';
import { ValidationError, noopLogger } from '@sdr/core';
import { composeServer } from '../../runtime/compose.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { readJsonConfig, splitArguments } from '../arguments.js';
import { exitCodes, type CliCommand } from '../command.js';

const usage = [
  'usage: sdr integrations list   --tenant <id>',
  '       sdr integrations set    --tenant <id> <kind> --provider <name> [--config <json> | --config-file <path>]',
  '       sdr integrations check  --tenant <id> <kind>',
  '       sdr integrations remove --tenant <id> <kind>',
  '',
  'Kinds: crm, calendar, whatsapp, voice, model. Answers are JSON, secrets redacted.',
].join('\n');

interface Parsed {
  readonly action: string;
  readonly tenant: string;
  readonly kind: string | undefined;
  readonly provider: string | undefined;
  readonly flags: ReadonlyMap<string, string>;
}

function parse(args: readonly string[]): Parsed {
  const [action = '', ...rest] = args;
  if (!['list', 'set', 'check', 'remove'].includes(action)) throw ValidationError.forField('action', 'must be list, set, check or remove');
  const { flags, positional } = splitArguments(rest);
  const tenant = flags.get('--tenant');
  if (tenant === undefined) throw ValidationError.forField('--tenant', 'is required');
  const kind = positional[0];
  if (action !== 'list' && kind === undefined) throw ValidationError.forField('kind', `is required for ${action}`);
  if (action === 'set' && !flags.has('--provider')) throw ValidationError.forField('--provider', 'is required for set');
  return { action, tenant, kind, provider: flags.get('--provider'), flags };
}

export const integrationsCommand: CliCommand = {
  path: ['integrations'],
  summary: 'configure, list, check or remove a tenant’s integrations (as /v1/integrations does)',
  usage,
  async run(args, io) {
    const parsed = parse(args);
    const config = parsed.action === 'set' ? await readJsonConfig(parsed.flags, (path) => io.readFile(path)) : undefined;
    const settings = loadConfig(process.env);
    const database = await openServerDatabase(settings.database);
    try {
      const composition = await composeServer({ config: settings, database, logger: noopLogger });
      try {
        const { integrations } = composition;
        const kind = parsed.kind ?? '';
        const answer =
          parsed.action === 'list'
            ? { items: await integrations.list(parsed.tenant) }
            : parsed.action === 'set'
              ? await integrations.set({ tenantId: parsed.tenant, kind, provider: parsed.provider ?? '', config })
              : parsed.action === 'check'
                ? await integrations.check(parsed.tenant, kind)
                : await integrations.remove(parsed.tenant, kind);
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
