/**
 * The server's `SecretBox` from its configuration: `SDR_ENCRYPTION_KEY` (and the previous keys)
 * when set; otherwise the key kept in the data directory as `encryption.key`, generated on first
 * use (readable by the owner only). Several processes starting at once on one data directory
 * agree: the file is created exclusively, and a process that lost the race reads the winner's.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@sdr/core';
import type { ServerConfig } from '../runtime/config.js';
import { createSecretBox, decodeKey, type SecretBox } from './secret-box.js';

/** The file, in the data directory, holding the generated key. */
export const keyFileName = 'encryption.key';

/** The box sealing with the configured (or kept) key and opening with the previous ones too. */
export async function loadSecretBox(encryption: ServerConfig['encryption'], logger?: Logger): Promise<SecretBox> {
  const key = encryption.key ?? (await keptKey(encryption.dataDir, logger));
  return createSecretBox({ key, previous: encryption.previous });
}

async function keptKey(dataDir: string, logger: Logger | undefined): Promise<Buffer> {
  const path = join(dataDir, keyFileName);
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    logger?.warn({ file: path }, 'SDR_ENCRYPTION_KEY is not set: generated an encryption key and kept it in the data directory');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(path, await readFile(path, 'utf8'));
}
