import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../__fixtures__/run-command-line.js';
import { exitCodes } from '../command.js';

const example = (name: string) => fileURLToPath(new URL(`../../../../../examples/billing/${name}`, import.meta.url));
const batchPath = example('batch.json');
const tenantPath = example('tenant.json');
const now = '2026-03-02T12:00:00Z';

const run = runCommandLine;

interface PlanOutput {
  planHash: string;
  summary: Record<string, number>;
  items: {
    index: number;
    externalBillingId: string | null;
    status: string;
    errors: { field: string; message: string }[];
    messages: Record<string, unknown>[];
  }[];
}

describe('sdr billing plan', () => {
  it('prints the dry-run plan of the example batch in the documented shape', async () => {
    const result = await run(['billing', 'plan', batchPath, '--tenant', tenantPath, '--now', now]);
    expect(result).toMatchObject({ code: exitCodes.ok, stderr: '' });
    const plan = JSON.parse(result.stdout) as PlanOutput;
    expect(Object.keys(plan)).toEqual(['planHash', 'summary', 'items']);
    expect(plan.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.summary).toEqual({ created: 3, duplicate: 1, invalid: 2, messages: 6, skipped: 3 });
    expect(plan.items.map((item) => Object.keys(item))).toEqual(
      plan.items.map(() => ['index', 'externalBillingId', 'status', 'errors', 'messages']),
    );
    expect(plan.items.map((item) => item.status)).toEqual(['created', 'created', 'created', 'duplicate', 'invalid', 'invalid']);
    expect(plan.items[0]?.messages[0]).toEqual({
      step: 'D-3',
      sendAt: '2026-03-07T10:00:00-03:00',
      template: 'billing_step',
      variation: 'default',
      text: 'Olá Ana Souza, lembrete: sua fatura de R$ 1.234,56 vence em 10/03/2026.',
      status: 'scheduled',
      skipReason: null,
    });
    expect(plan.items[2]?.messages.map((message) => [message.step, message.status, message.skipReason])).toEqual([
      ['D-3', 'skipped', 'stale'],
      ['D0', 'skipped', 'stale'],
      ['D+3', 'scheduled', null],
    ]);
    expect(plan.items[4]?.errors.map((error) => error.field)).toEqual(['customer.phone', 'amount', 'dueDate']);
    expect(plan.items[5]?.errors.map((error) => error.field)).toEqual(['currency', 'dueDate']);
    expect(result.stdout).not.toMatch(/\{\{/);
  });

  it('prints the same plan and hash for the same input', async () => {
    const argv = ['billing', 'plan', batchPath, '--tenant', tenantPath, '--now', now];
    const first = await run(argv);
    const second = await run(argv);
    expect(second.stdout).toBe(first.stdout);
    const later = await run(['billing', 'plan', batchPath, '--tenant', tenantPath, '--now', '2026-03-03T12:00:00Z']);
    expect((JSON.parse(later.stdout) as PlanOutput).planHash).not.toBe((JSON.parse(first.stdout) as PlanOutput).planHash);
  });

  it('uses a São Paulo tenant by default and accepts a whole scenario file', async () => {
    const scenario = JSON.stringify({ tenant: { timeZone: 'America/Sao_Paulo', billing: { steps: [{ offsetDays: 0 }] } } });
    const result = await run(['billing', 'plan', batchPath, '--tenant', 'scenario.json', '--now', now], { 'scenario.json': scenario });
    const plan = JSON.parse(result.stdout) as PlanOutput;
    expect(plan.items[0]?.messages.map((message) => message.step)).toEqual(['D0']);
    expect((await run(['billing', 'plan', batchPath, '--now', now])).code).toBe(exitCodes.ok);
  });

  it('exits 2 naming the field for an invalid tenant file, batch file or option', async () => {
    const badTenant = await run(['billing', 'plan', batchPath, '--tenant', 't.json'], { 't.json': '{"timeZone":"Mars/Olympus"}' });
    expect(badTenant).toMatchObject({ code: exitCodes.usage, stdout: '' });
    expect(badTenant.stderr).toMatch(/^error: tenant\.timeZone: must be an IANA time-zone name/);

    const tooBig = JSON.stringify({ items: Array.from({ length: 1001 }, () => ({})) });
    const big = await run(['billing', 'plan', 'big.json'], { 'big.json': tooBig });
    expect(big.code).toBe(exitCodes.usage);
    expect(big.stderr).toMatch(/^error: batch\.items: has 1001 items; a batch holds at most 1000/);

    const notJson = await run(['billing', 'plan', 'x.json'], { 'x.json': '{items:' });
    expect(notJson.stderr).toMatch(/^error: batch: x\.json is not valid JSON/);
    expect((await run(['billing', 'plan', 'x.json'], { 'x.json': '{"rows":[]}' })).stderr).toMatch(/batch\.rows: unknown field/);

    const badNow = await run(['billing', 'plan', batchPath, '--now', 'tomorrow']);
    expect(badNow).toMatchObject({ code: exitCodes.usage, stderr: expect.stringMatching(/^error: --now: /) as string });
    expect((await run(['billing', 'plan'])).stderr).toMatch(/^error: batch: give the batch file/);
    expect((await run(['billing', 'plan', batchPath, '--dry'])).code).toBe(exitCodes.usage);
  });

  it('is listed in the help', async () => {
    expect((await run([])).stdout).toContain('sdr billing plan');
  });
});
