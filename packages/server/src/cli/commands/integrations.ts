/**
 * `sdr integrations set|list|check|remove|oauth-url --tenant <id>`: a tenant's integrations from a
 * script (a deploy), through the same services as `/v1/integrations` — same validation, same
 * sealing, same redacted answers. `oauth-url` answers the link that connects an account by OAuth
 * (`/v1/integrations/{kind}/oauth/start`): with a configuration, that one is connected; without,
 * the stored one is reconnected. Uses the environment of `sdr serve` (database, encryption key,
 * `SDR_PUBLIC_BASE_URL`).
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
  '       sdr integrations oauth-url --tenant <id> <kind> [--provider <name> (--config <json> | --config-file <path>)]',
  '',
  'The kind may also be given as --kind <kind>.',
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
  if (!['list', 'set', 'check', 'remove', 'oauth-url'].includes(action)) {
    throw ValidationError.forField('action', 'must be list, set, check, remove or oauth-url');
  }
  const { flags, positional } = splitArguments(rest);
  const tenant = flags.get('--tenant');
  if (tenant === undefined) throw ValidationError.forField('--tenant', 'is required');
  const kind = flags.get('--kind') ?? positional[0];
  if (action !== 'list' && kind === undefined) throw ValidationError.forField('kind', `is required for ${action}`);
  if (action === 'set' && !flags.has('--provider')) throw ValidationError.forField('--provider', 'is required for set');
  const withConfig = flags.has('--config') || flags.has('--config-file');
  if (action === 'oauth-url' && withConfig && !flags.has('--provider')) {
    throw ValidationError.forField('--provider', 'is required with --config or --config-file');
  }
  return { action, tenant, kind, provider: flags.get('--provider'), flags };
}

export const integrationsCommand: CliCommand = {
  path: ['integrations'],
  summary: 'configure, list, check, remove or connect by OAuth a tenant’s integrations (as /v1/integrations does)',
  usage,
  async run(args, io) {
    const parsed = parse(args);
    const connectsGiven = parsed.action === 'oauth-url' && (parsed.flags.has('--config') || parsed.flags.has('--config-file'));
    const config = parsed.action === 'set' || connectsGiven ? await readJsonConfig(parsed.flags, (path) => io.readFile(path)) : undefined;
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
                : parsed.action === 'oauth-url'
                  ? await composition.oauth.start({
                      tenantId: parsed.tenant,
                      kind,
                      provider: parsed.provider,
                      ...(connectsGiven ? { config } : {}),
                    })
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
