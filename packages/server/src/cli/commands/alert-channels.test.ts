import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from '../__fixtures__/run-command-line.js';

describe('sdr alert-channels', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a call without --tenant, type or config, naming what is missing (exit 2)', async () => {
    const noTenant = await runCommandLine(['alert-channels', 'list']);
    expect([noTenant.code, noTenant.stderr]).toEqual([2, expect.stringContaining('--tenant') as unknown]);
    const noType = await runCommandLine(['alert-channels', 'add', '--tenant', randomUUID()]);
    expect([noType.code, noType.stderr]).toEqual([2, expect.stringContaining('type') as unknown]);
    const badType = await runCommandLine(['alert-channels', 'add', '--tenant', randomUUID(), 'pager', '--config', '{}']);
    expect([badType.code, badType.stderr]).toEqual([2, expect.stringContaining('slack, telegram, webhook, email') as unknown]);
    const badEvents = await runCommandLine([
      'alert-channels',
      'add',
      '--tenant',
      randomUUID(),
      'slack',
      '--config',
      '{}',
      '--events',
      'opened',
    ]);
    expect([badEvents.code, badEvents.stderr]).toEqual([2, expect.stringContaining('--events') as unknown]);
  });

  it('adds a channel with its secret redacted in the answer, lists it, refuses a bad config by field, and removes it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sdr-alert-channels-'));
    try {
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SDR_DATA_DIR', dataDir);
      const tenant = randomUUID();
      const bad = await runCommandLine(['alert-channels', 'add', '--tenant', tenant, 'telegram', '--config', '{"chatId":"x"}']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('config.botToken');
      expect(bad.stderr).toContain('config.chatId');
      const added = await runCommandLine([
        'alert-channels',
        'add',
        '--tenant',
        tenant,
        'telegram',
        '--config',
        '{"botToken":"123456:ABCdefGHIjklMNOpqrSTUvwx","chatId":"-1001"}',
        '--events',
        'raised',
      ]);
      expect(added.stderr).toBe('');
      const channel = JSON.parse(added.stdout) as { id: string; config: Record<string, unknown>; events: string[] };
      expect(channel).toMatchObject({ config: { botToken: '[redacted]', chatId: '-1001' }, events: ['raised'] });
      expect(added.stdout).not.toContain('ABCdefGHI');
      const listed = await runCommandLine(['alert-channels', 'list', '--tenant', tenant]);
      expect((JSON.parse(listed.stdout) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([channel.id]);
      const removed = await runCommandLine(['alert-channels', 'remove', '--tenant', tenant, channel.id]);
      expect(removed.code).toBe(0);
      const again = await runCommandLine(['alert-channels', 'remove', '--tenant', tenant, channel.id]);
      expect(again.code).not.toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // The embedded database is opened five times: slow on a busy machine.
  }, 300_000);
});
