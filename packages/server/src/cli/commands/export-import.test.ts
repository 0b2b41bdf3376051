/**
 * `sdr export` and `sdr import` round-trip a tenant between two PostgreSQL databases through the
 * command line: every row of the tenant comes back identical (the second export equals the
 * first), another tenant stays behind, the restored data reads through the store, and the
 * identity sequences continue after the imported rows. A database that already holds a tenant,
 * a cut or tampered file and a bad tenant id are refused, with nothing written.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresStore } from '@sdr/store-postgres';
import {
  buildAlertInput,
  buildApiKey,
  buildAppointment,
  buildBillingCycle,
  buildContact,
  buildLead,
  buildMessage,
  buildOAuthToken,
  buildOutboxEntryInput,
  buildScheduledMessageInput,
  buildTemplate,
  buildTenant,
} from '@sdr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../__fixtures__/run-command-line.js';
import { createEmptyPostgresDatabase, databaseUrl } from '../../database/__fixtures__/test-database.js';
import { openServerDatabase, type OpenedDatabase } from '../../runtime/open-database.js';

interface Created {
  readonly url: string;
  drop(): Promise<void>;
}

/** Runs `sdr <argv>` with the server's database at `url`. */
async function sdr(url: string, argv: readonly string[]) {
  const previous = process.env['DATABASE_URL'];
  process.env['DATABASE_URL'] = url;
  try {
    return await runCommandLine(argv);
  } finally {
    process.env['DATABASE_URL'] = previous;
  }
}

/** The export's lines without the header (its instant differs), sorted. */
function rowsOf(text: string): string[] {
  return text.trim().split('\n').slice(1).sort();
}

describe.skipIf(databaseUrl === undefined)('sdr export and sdr import [postgres]', () => {
  const tenant = buildTenant({ name: 'Exported Co.' });
  const other = buildTenant({ name: 'Stays Behind' });
  const lead = buildLead({ tenantId: tenant.id, name: 'Ana' });
  let source: Created;
  let target: Created;
  let directory: string;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sdr-export-'));
    source = await createEmptyPostgresDatabase('sdr_export_src');
    target = await createEmptyPostgresDatabase('sdr_export_dst');
    opened = await openServerDatabase({ kind: 'postgres', url: source.url, poolMax: 4 });
    const store = createPostgresStore({ db: opened.connection });
    for (const t of [tenant, other]) await store.tenants.create(t);
    await store.leads.create(lead);
    await store.leads.create(buildLead({ tenantId: other.id }));
    await store.messages.append(buildMessage({ tenantId: tenant.id, leadId: lead.id, body: 'Oi! {"quoted"} \\ ç' }));
    await store.messages.append(buildMessage({ tenantId: tenant.id, leadId: lead.id, direction: 'outbound', status: 'sent' }));
    await store.appointments.create(buildAppointment({ tenantId: tenant.id, leadId: lead.id }));
    const contact = await store.contacts.create(buildContact({ tenantId: tenant.id }));
    await store.billingCycles.create(buildBillingCycle({ tenantId: tenant.id, contactId: contact.id }));
    await store.templates.save(buildTemplate({ tenantId: tenant.id }));
    await store.scheduledMessages.schedule(buildScheduledMessageInput({ tenantId: tenant.id, leadId: lead.id }));
    await store.outbox.append(buildOutboxEntryInput({ tenantId: tenant.id, aggregateId: lead.id, payload: { stage: 'qualified' } }));
    await store.alerts.raise({ ...buildAlertInput({ tenantId: tenant.id }), now: new Date() });
    await store.alerts.raise({ ...buildAlertInput({ tenantId: null }), now: new Date() });
    await store.apiKeys.create(buildApiKey({ tenantId: tenant.id }));
    await store.oauthTokens.put(buildOAuthToken({ tenantId: tenant.id }));
    // A sequence no column owns (as integration revisions are): its value must travel too.
    await opened.database.script(
      'test.sequence',
      "CREATE SEQUENCE sdr_server.test_revisions; SELECT setval('sdr_server.test_revisions', 41);",
    );
  }, 120_000);

  afterAll(async () => {
    await opened.close();
    await source.drop();
    await target.drop();
    await rm(directory, { recursive: true, force: true });
  }, 60_000);

  it('restores every row of the tenant, and only its rows, into an empty database', async () => {
    const file = join(directory, 'tenant.jsonl');
    const exported = await sdr(source.url, ['export', '--tenant', tenant.id, '--output', file]);
    expect(exported, exported.stderr).toMatchObject({ code: 0 });
    const text = await readFile(file, 'utf8');
    const lines = text.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'sdr-tenant-export', version: 1, tenantId: tenant.id });
    const rowLines = lines.filter((line) => line.startsWith('{"table":'));
    expect(JSON.parse(lines.at(-1)!)).toEqual({ end: true, rows: rowLines.length });
    const tables = new Set(rowLines.map((line) => (JSON.parse(line) as { table: string }).table));
    expect([...tables].sort()).toEqual([
      'sdr.alerts',
      'sdr.api_keys',
      'sdr.appointments',
      'sdr.billing_cycles',
      'sdr.contacts',
      'sdr.leads',
      'sdr.messages',
      'sdr.oauth_tokens',
      'sdr.outbox',
      'sdr.scheduled_messages',
      'sdr.templates',
      'sdr.tenants',
    ]);
    expect(text).not.toContain(other.id);

    expect(lines).toContain('{"sequence":"sdr_server.test_revisions","value":41}');
    const prepared = await openServerDatabase({ kind: 'postgres', url: target.url, poolMax: 1 });
    await prepared.database.script('test.sequence', 'CREATE SEQUENCE sdr_server.test_revisions');
    await prepared.close();

    const imported = await sdr(target.url, ['import', file]);
    expect(imported, imported.stderr).toMatchObject({ code: 0, stderr: `imported ${rowLines.length} rows of tenant ${tenant.id}\n` });

    const again = await sdr(target.url, ['export', '--tenant', tenant.id]);
    expect(again.code).toBe(0);
    expect(rowsOf(again.stdout)).toEqual(rowsOf(text));

    const restored = await openServerDatabase({ kind: 'postgres', url: target.url, poolMax: 2 });
    try {
      const store = createPostgresStore({ db: restored.connection });
      expect(await store.leads.get(tenant.id, lead.id)).toEqual(lead);
      const messages = await store.messages.listByLead(tenant.id, lead.id);
      expect(messages.map((message) => message.body)).toContain('Oi! {"quoted"} \\ ç');
      // The identity sequence continues after the imported messages.
      const appended = await store.messages.append(buildMessage({ tenantId: tenant.id, leadId: lead.id }));
      expect(appended.created).toBe(true);
      const [positions] = await restored.database.query<{ distinct: number; total: number }>(
        'test.positions',
        'SELECT count(DISTINCT position)::int AS distinct, count(*)::int AS total FROM sdr.messages',
      );
      expect(positions).toEqual({ distinct: 3, total: 3 });
      expect(await store.tenants.get(other.id)).toBeNull();
      expect(await restored.database.query('test.revision', "SELECT nextval('sdr_server.test_revisions')::int AS next")).toEqual([
        { next: 42 },
      ]);
    } finally {
      await restored.close();
    }
  }, 120_000);

  it('refuses a database that already holds a tenant, a cut or tampered file, and a bad tenant id, writing nothing', async () => {
    const file = join(directory, 'again.jsonl');
    expect((await sdr(source.url, ['export', '--tenant', tenant.id, '--output', file])).code).toBe(0);
    const text = await readFile(file, 'utf8');

    const occupied = await sdr(target.url, ['import', file]);
    expect(occupied).toMatchObject({ code: 2, stderr: expect.stringContaining('already holds 1 tenant(s)') });

    const empty = await createEmptyPostgresDatabase('sdr_export_bad');
    try {
      const cut = join(directory, 'cut.jsonl');
      await writeFile(cut, text.split('\n').slice(0, 4).join('\n'));
      expect(await sdr(empty.url, ['import', cut])).toMatchObject({ code: 2, stderr: expect.stringContaining('cut short') });

      const tampered = join(directory, 'tampered.jsonl');
      await writeFile(tampered, text.replace('"sdr.leads","row":{', '"sdr.leads","row":{"no_such_column":1,'));
      expect(await sdr(empty.url, ['import', tampered])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('sdr.leads has no column no_such_column'),
      });

      const foreign = join(directory, 'foreign.jsonl');
      await writeFile(foreign, text.replace(`"tenant_id":"${tenant.id}"`, `"tenant_id":"${other.id}"`));
      expect(await sdr(empty.url, ['import', foreign])).toMatchObject({ code: 2, stderr: expect.stringContaining('another tenant') });

      // The empty database lacks the sequence the export carries: refused, as an unknown column is.
      expect(await sdr(empty.url, ['import', file])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('sequence "sdr_server.test_revisions" does not exist in this database'),
      });

      const probe = await openServerDatabase({ kind: 'postgres', url: empty.url, poolMax: 1 });
      try {
        expect(await probe.database.query('test.count', 'SELECT 1 FROM sdr.tenants UNION ALL SELECT 1 FROM sdr.leads')).toEqual([]);
      } finally {
        await probe.close();
      }
    } finally {
      await empty.drop();
    }

    expect(await sdr(source.url, ['export', '--tenant', 'acme'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--tenant: must be a tenant id'),
    });
    expect(await sdr(source.url, ['export', '--tenant', other.id.replace(/^.{8}/, '00000000')])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('was not found'),
    });
    expect(await sdr(source.url, ['export'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--tenant') });
  }, 120_000);
});
