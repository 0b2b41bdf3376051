/**
 * `sdr keys rotate`: after `SDR_ENCRYPTION_KEY` changed (the old key moved to
 * `SDR_ENCRYPTION_KEYS_PREVIOUS`), seals every stored secret again with the new key, so the old
 * one can be retired. Safe to run while servers run, and again: values already on the current
 * key are left as they are.
 */
import process from 'node:process';
import { classifyError } from '@sdr/core';
import { loadSecretBox } from '../../integrations/encryption-keys.js';
import { rotateSecrets } from '../../integrations/key-rotation.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { exitCodes, type CliCommand } from '../command.js';

export const keysRotateCommand: CliCommand = {
  path: ['keys', 'rotate'],
  summary: 'seal every stored secret again with SDR_ENCRYPTION_KEY (after a key change)',
  usage: [
    'usage: sdr keys rotate',
    '',
    'Re-encrypts the integration configurations and credentials sealed by a key listed in',
    'SDR_ENCRYPTION_KEYS_PREVIOUS with SDR_ENCRYPTION_KEY. Uses the same environment as sdr serve.',
  ].join('\n'),
  async run(args, io) {
    if (args.length > 0) {
      io.stderr(`error: sdr keys rotate takes no arguments (got ${args.join(' ')})\n`);
      return exitCodes.usage;
    }
    const config = loadConfig(process.env);
    const box = await loadSecretBox(config.encryption);
    const database = await openServerDatabase(config.database);
    try {
      const report = await rotateSecrets({ db: database.database, box });
      io.stdout(`re-encrypted ${String(report.rotated)} secret(s) with key ${box.keyId}; ${String(report.current)} already used it\n`);
      return exitCodes.ok;
    } catch (error) {
      io.stderr(`error: ${classifyError(error).message}\n`);
      return exitCodes.failure;
    } finally {
      await database.close();
    }
  },
};
