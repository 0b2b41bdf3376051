/**
 * deploy/backup.sh against the local PostgreSQL: a dump that pg_restore can read appears, dumps
 * past the retention are removed and younger ones kept, and a retention other than 7, 15 or 30
 * days is refused before anything is written.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../backup.sh', import.meta.url));
const databaseUrl = process.env['DATABASE_URL'];
const day = 86_400_000;

describe.skipIf(databaseUrl === undefined)('deploy/backup.sh [postgres]', () => {
  const name = `sdr_backup_${process.pid}_${Date.now()}`;
  const url = new URL(databaseUrl ?? 'postgres://localhost');
  url.pathname = `/${name}`;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sdr-backup-'));
    await run('psql', [databaseUrl ?? '', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
    await run('psql', [
      url.toString(),
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      "CREATE TABLE leads (id int PRIMARY KEY, name text); INSERT INTO leads VALUES (1, 'Ana')",
    ]);
  }, 60_000);

  afterAll(async () => {
    await run('psql', [databaseUrl ?? '', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    await rm(directory, { recursive: true, force: true });
  }, 60_000);

  async function aged(name: string, days: number): Promise<void> {
    const path = join(directory, name);
    await writeFile(path, 'old dump');
    const when = new Date(Date.now() - days * day);
    await utimes(path, when, when);
  }

  it('writes a dump pg_restore reads and removes the dumps past the retention', async () => {
    await aged('sdr-old-8-days.dump', 8);
    await aged('sdr-young-5-days.dump', 5);
    await aged('notes-9-days.txt', 9);
    const { stdout } = await run('bash', [script], {
      env: { ...process.env, DATABASE_URL: url.toString(), BACKUP_DIR: directory, BACKUP_RETENTION_DAYS: '7' },
    });
    expect(stdout).toMatch(/^wrote .*sdr-\d{8}T\d{6}Z\.dump/m);
    expect(stdout).toContain(`removed ${join(directory, 'sdr-old-8-days.dump')}`);
    const files = await readdir(directory);
    const dumps = files.filter((file) => /^sdr-\d{8}T\d{6}Z\.dump$/.test(file));
    expect(dumps).toHaveLength(1);
    expect(files.sort()).toEqual([...dumps, 'notes-9-days.txt', 'sdr-young-5-days.dump'].sort());
    const listed = await run('pg_restore', ['--list', join(directory, dumps[0]!)]);
    expect(listed.stdout).toMatch(/TABLE public leads/);
    expect(listed.stdout).toMatch(/TABLE DATA public leads/);
  }, 120_000);

  it('refuses another retention before writing anything', async () => {
    const before = await readdir(directory);
    await expect(
      run('bash', [script], { env: { ...process.env, DATABASE_URL: url.toString(), BACKUP_DIR: directory, BACKUP_RETENTION_DAYS: '10' } }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('BACKUP_RETENTION_DAYS must be 7, 15 or 30') });
    expect(await readdir(directory)).toEqual(before);
  });
});
