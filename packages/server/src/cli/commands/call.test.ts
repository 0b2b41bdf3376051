import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, startTestServer, type TestDatabase } from '../../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../../runtime/start-server.js';
import type { CliIo } from '../command.js';
import { commands } from '../commands.js';
import { runCli } from '../run-cli.js';

/** Runs `sdr <argv>` with `lines` typed on standard input, one after the other. */
async function callWith(argv: readonly string[], lines: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: () => Promise.reject(new Error('no files')),
    async *readLines() {
      for (const line of lines) yield await Promise.resolve(line);
    },
  };
  const code = await runCli(argv, io, commands);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('sdr call', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    server = await startTestServer({ ...database.env, SDR_DISPATCH_POLL_MS: '1000', SDR_ALERT_INTERVAL_MS: '60000' });
    // The command reads the embedded server's data directory, whatever database the shell names.
    vi.stubEnv('DATABASE_URL', '');
    for (const [name, value] of Object.entries(database.env)) vi.stubEnv(name, value);
  }, 120_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('calls the demo tenant from the terminal, books by voice-as-text and ends transferred to a person', async () => {
    const tenantId = server?.demo?.tenant.id ?? '';
    const result = await callWith(
      ['call', '--tenant', tenantId, '--url', server?.url ?? '', '--from', '+5511955554444'],
      ['quero agendar', '1', 'quero falar com uma pessoa', 'this line is never said'],
    );
    expect(result.stderr).toContain('connected (call CA');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Olá! Aqui é Ana, da .+\. Como posso ajudar\?$/);
    expect(lines[1]).toMatch(/^agent: Tenho estes horários: 1\) .+; 2\) .+\. Qual fica melhor para você\?$/);
    expect(lines[2]).toMatch(/^agent: Pronto! Sua reunião ficou marcada para .+\. Até lá!$/);
    expect(lines[3]).toMatch(/^agent: /);
    expect(result.stdout).toContain(
      'action: <?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30">+5511900000000</Dial></Response>',
    );
    expect(result.stderr).toContain('the agent handed the call over');
    const store = server!.composition.context.store;
    const leads = await store.leads.list(tenantId, { limit: 10 });
    const lead = leads.items.find((item) => item.phone.e164 === '+5511955554444');
    expect(lead).toBeDefined();
    const [appointment] = await store.appointments.listByLead(tenantId, lead!.id);
    expect(appointment?.status).toBe('scheduled');
  }, 120_000);

  it('refuses a tenant without a phone line here, naming the flags to use (exit 2)', async () => {
    const result = await callWith(['call', '--tenant', '00000000-0000-4000-8000-000000000000'], []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--auth-token');
  });
});
