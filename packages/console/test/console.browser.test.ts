/**
 * The console in a real browser (Debian's Chromium through playwright-core) against a real
 * `sdr serve` on PGlite, played as a newcomer plays it: the demo key the banner printed, the
 * sandbox chat, the sandbox clock, a booking, a billing file — with the board open in another tab
 * following along live. A second tenant sees none of it, the live stream included.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from '../scripts/browser.js';
import {
  billingBatch,
  bookFirstSlot,
  chatAsLead,
  chooseBatchFile,
  moveClock,
  openView,
  replyAsTeam,
  signIn,
} from '../scripts/console-story.js';
import { startSdrServe, type SdrServe } from '../scripts/sdr-serve.js';

const operatorKey = 'console-browser-tests-operator-key-0123456789';
const live = 20_000;

/** Reads a tenant's live stream (as the console does) and collects the event names. */
function collectEvents(url: string, key: string): { readonly names: string[]; stop(): void } {
  const names: string[] = [];
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const match of value.matchAll(/^event: (.+)$/gm)) names.push(match[1]!);
    }
  })().catch(() => undefined);
  return { names, stop: () => controller.abort() };
}

async function json<T>(url: string, key: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  expect(response.status, `${init.method ?? 'GET'} ${url}`).toBeLessThan(300);
  return (await response.json()) as T;
}

describe('the console, from the first message to a booked meeting', () => {
  let server: SdrServe;
  let launched: LaunchedBrowser;
  let board: Page;
  let sandbox: Page;
  let lead: Page;
  let leadId: string;

  beforeAll(async () => {
    [server, launched] = await Promise.all([
      startSdrServe({ SDR_OPERATOR_KEY: operatorKey, SDR_DISPATCH_POLL_MS: '200', SDR_DISPATCH_PACING_MS: '0' }),
      launchBrowser(),
    ]);
    board = await (await launched.newContext()).newPage();
    sandbox = await (await launched.newContext()).newPage();
    lead = await (await launched.newContext()).newPage();
  });
  afterAll(async () => {
    await launched.close();
    await server.stop();
  });

  it('the banner prints the console URL, and the page signs in with the printed key', async () => {
    expect(server.output()).toContain(`console: ${server.url}/console/`);
    await signIn(board, server.url, server.demoKey);
    await board.getByRole('status').filter({ hasText: 'Ao vivo' }).waitFor({ timeout: live });
    expect(await board.getByRole('heading', { level: 1 }).textContent()).toBe('Quadro');
    expect(await board.locator('.column h2').allTextContents()).toEqual([
      'Novo lead 0',
      'Qualificação 0',
      'Reunião agendada 0',
      'Atendimento humano 0',
      'Não interessado 0',
      'Venda ganha 0',
      'Venda perdida 0',
    ]);
  });

  it('a lead written in the sandbox chat appears on the board open in another tab, without a reload', async () => {
    await signIn(sandbox, server.url, server.demoKey, '/console/sandbox');
    await chatAsLead(sandbox, { phone: '+55 11 98765-4321', name: 'Ana', text: 'Oi! Quero saber mais' });
    const card = board.locator('[data-stage="new"] .card', { hasText: 'Ana' });
    await card.waitFor({ timeout: live });
    expect(await board.locator('[data-stage="new"] h2').textContent()).toBe('Novo lead 1');
    const href = await sandbox.getByRole('link', { name: 'Abrir este lead' }).getAttribute('href');
    leadId = href?.split('/').pop() ?? '';
    expect(leadId).toMatch(/^[0-9a-f-]{36}$/);
    // The demo agent answers, and its reply is on the sandbox channel, tied to the lead.
    const reply = sandbox.locator('.channel li', { hasText: 'Quer agendar uma conversa' });
    await reply.waitFor({ timeout: live });
    expect(await reply.getByRole('link', { name: 'lead' }).getAttribute('href')).toBe(`/console/leads/${leadId}`);
  });

  it('the clock moved 31 minutes shows re-engagement #1 in the lead view, sent, with why it was due then', async () => {
    await signIn(lead, server.url, server.demoKey, `/console/leads/${leadId}`);
    await replyAsTeam(sandbox, 'Olá Ana! Posso te mostrar como funciona?');
    const reengagement = lead.locator('.scheduled li[data-kind="reengage_1"]');
    await reengagement.and(lead.locator('[data-status="pending"]')).waitFor({ timeout: live });
    await moveClock(sandbox, /\+31 minutos/);
    // The agent's greeting scheduled one that the team's reply cancelled: the one sent is the second.
    const sent = reengagement.and(lead.locator('[data-status="sent"]'));
    await sent.waitFor({ timeout: live });
    expect(await sent.locator('strong').textContent()).toBe('Reativação nº 1');
    const why = await sent.locator('.why li').allTextContents();
    expect(why[0]).toMatch(/^reengage_1 is sent, due /);
    expect(why.join(' ')).toMatch(/Rule .+ of SPEC/);
    await lead.locator('.message-automation').first().waitFor({ timeout: live });
    await sandbox.locator('.channel li[data-kind="reengage_1"]').waitFor({ timeout: live });
  });

  it('a booking in the lead view moves the card to “Reunião agendada” on the board', async () => {
    await bookFirstSlot(lead);
    await lead.locator('.appointments li[data-status="scheduled"]').waitFor({ timeout: live });
    await board.locator('[data-stage="meeting_scheduled"] .card', { hasText: 'Ana' }).waitFor({ timeout: live });
    expect(await board.locator('[data-stage="meeting_scheduled"] h2').textContent()).toBe('Reunião agendada 1');
    expect(await board.locator('[data-stage="new"] h2').textContent()).toBe('Novo lead 0');
    await lead.locator('[data-testid="lead-stage"]', { hasText: 'Reunião agendada' }).waitFor({ timeout: live });
    await lead.locator('.scheduled li[data-kind="reminder_2h"]').waitFor({ timeout: live });
  });

  it('dragging a card to another column sets the stage as an operator', async () => {
    await board.locator('[data-stage="meeting_scheduled"] .card', { hasText: 'Ana' }).dragTo(board.locator('[data-stage="qualifying"]'));
    await board.locator('[data-stage="qualifying"] .card', { hasText: 'Ana' }).waitFor({ timeout: live });
    const stored = await json<{ stage: string }>(`${server.url}/v1/leads/${leadId}`, server.demoKey);
    expect(stored.stage).toBe('qualifying');
  });

  it('a billing file shows its dry-run plan, and applying it by its hash creates the cycles', async () => {
    await openView(board, /Cobrança/);
    await chooseBatchFile(board, billingBatch(new Date()));
    const plan = board.locator('section.plan');
    await plan.waitFor({ timeout: live });
    expect(await plan.locator('p').first().textContent()).toMatch(/^2 novas, 0 atualizadas, 0 duplicadas, 1 inválidas — \d+ mensagens/);
    expect(await plan.locator('tbody tr[data-status="invalid"]').textContent()).toContain('customer.phone');
    const texts = await plan.locator('tbody tr[data-status="created"] td.message-body').allTextContents();
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts.every((text) => text.trim().length > 0 && !text.includes('{{'))).toBe(true);
    await board.getByRole('button', { name: /Aplicar o plano/ }).click();
    await board.locator('.notice-success').waitFor({ timeout: live });
    expect(await board.locator('.notice-success').textContent()).toMatch(/^Aplicado: 2 cobranças criadas/);
    const row = board.locator('tr[data-status]', { hasText: 'INV-CONSOLE-1' });
    await row.waitFor({ timeout: live });
    await row.getByRole('button', { name: 'Marcar como paga' }).click();
    await board.locator('tr[data-status="paid"]', { hasText: 'INV-CONSOLE-1' }).waitFor({ timeout: live });
  });

  it('another tenant sees none of it: no leads, no counts, no live events', async () => {
    const globex = await json<{ tenant: { id: string }; apiKey: { key: string } }>(`${server.url}/v1/tenants`, operatorKey, {
      method: 'POST',
      body: { name: 'Globex', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' },
    });
    const stream = collectEvents(server.url, globex.apiKey.key);
    const other = await (await launched.newContext()).newPage();
    await signIn(other, server.url, globex.apiKey.key);
    await other.getByRole('status').filter({ hasText: 'Ao vivo' }).waitFor({ timeout: live });
    await openView(board, /Quadro/);
    await chatAsLead(sandbox, { phone: '+55 11 91111-2222', name: 'Beto', text: 'Olá' });
    await board.locator('.card', { hasText: 'Beto' }).waitFor({ timeout: live });
    expect(await other.locator('.card').count()).toBe(0);
    expect(await other.locator('.column .count').allTextContents()).toEqual(['0', '0', '0', '0', '0', '0', '0']);
    await other.reload();
    await other.locator('.board').waitFor();
    expect(await other.locator('.card').count()).toBe(0);
    stream.stop();
    expect(stream.names).toEqual(['ready']);
    await other.close();
  });

  it('the operator key picks a tenant, switches, and revokes the key it was issued on sign-out', async () => {
    const page = await (await launched.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await page.locator('#api-key').fill(operatorKey);
    await page.locator('form button[type="submit"]').click();
    await page.getByRole('button', { name: 'Demo' }).click();
    await page.locator('.card', { hasText: 'Ana' }).waitFor({ timeout: live });
    await page.getByRole('button', { name: 'Trocar de empresa' }).click();
    await page.getByRole('button', { name: 'Globex' }).click();
    await page.locator('.board').waitFor();
    expect(await page.locator('.tenant strong').textContent()).toBe('Globex');
    expect(await page.locator('.card').count()).toBe(0);
    await page.getByRole('button', { name: 'Sair' }).click();
    await page.locator('#api-key').waitFor();
    const tenants = await json<{ items: { id: string }[] }>(`${server.url}/v1/tenants`, operatorKey);
    for (const tenant of tenants.items) {
      const keys = await json<{ items: { name: string; revokedAt: string | null }[] }>(
        `${server.url}/v1/tenants/${tenant.id}/api-keys`,
        operatorKey,
      );
      expect(keys.items.filter((key) => key.name === 'console session' && key.revokedAt === null)).toEqual([]);
    }
    await page.close();
  });

  it('switches to English, and says why when the server refuses to move the clock', async () => {
    await sandbox.getByLabel('Idioma').selectOption('en');
    await sandbox.getByRole('heading', { name: 'Sandbox clock' }).waitFor();
    await sandbox.route('**/v1/sandbox/clock/advance', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 403, code: 'forbidden', detail: 'moving the sandbox clock needs the operator key' }),
      }),
    );
    await moveClock(sandbox, /\+1 hour/);
    expect(await sandbox.getByRole('alert').textContent()).toBe(
      'This server does not let this key move the clock: moving the sandbox clock needs the operator key',
    );
    await sandbox.unroute('**/v1/sandbox/clock/advance');
  });

  it('the views whose API the server now has light up instead of saying "not available"', async () => {
    await lead.getByLabel('Idioma').selectOption('en');
    await openView(sandbox, /Health/);
    // Every tenant's integrations are listed, each kind on its default: the sandbox.
    const integrations = sandbox.locator('section[aria-labelledby="integrations-title"]');
    await integrations
      .getByText(/provider: sandbox/)
      .first()
      .waitFor({ timeout: live });
    expect(await integrations.getByText(/provider: sandbox/).count()).toBeGreaterThanOrEqual(3);
    expect(await sandbox.getByText('Integrations and their health: not available on this server.').count()).toBe(0);
    expect(await sandbox.getByText('Webhook endpoints: not available on this server.').count()).toBe(0);
  });
});
