/**
 * The follow-up story as a person plays it in the console, step by step — shared by the browser
 * tests (which assert on what each step shows) and `pnpm screenshots` (which photographs it).
 * Every step goes through the page as a person would: labels, buttons, the file picker.
 */
import type { Page } from 'playwright-core';

/** A billing batch file due around `today`, as `examples/billing/batch.json` is laid out. */
export function billingBatch(today: Date): string {
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  return JSON.stringify({
    items: [
      {
        externalBillingId: 'INV-CONSOLE-1',
        customer: { name: 'Bruna Costa', phone: '+55 11 97777-1111' },
        amount: 19_990,
        currency: 'BRL',
        dueDate: day(5),
      },
      {
        externalBillingId: 'INV-CONSOLE-2',
        customer: { name: 'Caio Reis', phone: '+55 21 98888-2222', email: 'caio@example.com' },
        amount: 4_990,
        currency: 'BRL',
        dueDate: day(10),
      },
      {
        externalBillingId: 'INV-CONSOLE-3',
        customer: { name: 'Sem Telefone', phone: 'ligar depois' },
        amount: 100,
        currency: 'BRL',
        dueDate: day(3),
      },
    ],
  });
}

/** Opens the console and signs in with `key`; resolves once the signed-in header shows. */
export async function signIn(page: Page, url: string, key: string, path = '/console/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.locator('#api-key').fill(key);
  await page.locator('form button[type="submit"]').click();
  await page.locator('header.top').waitFor();
}

/** Opens a view from the navigation. */
export async function openView(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name }).click();
}

/** In the sandbox view: writes `text` to the tenant as the lead with `phone` and `name`. */
export async function chatAsLead(
  page: Page,
  input: { readonly phone: string; readonly name: string; readonly text: string },
): Promise<void> {
  const form = page.locator('form.panel').filter({ has: page.locator('input[type="tel"]') });
  await form.locator('input[type="tel"]').fill(input.phone);
  await form.locator('input[type="text"]').fill(input.name);
  await form.locator('textarea').fill(input.text);
  await form.locator('button[type="submit"]').click();
}

/** In a conversation panel: answers the lead as the team. */
export async function replyAsTeam(page: Page, text: string): Promise<void> {
  await page.locator('#composer-text').fill(text);
  await page.locator('form.composer button[type="submit"]').click();
}

/** In the sandbox view: moves the sandbox clock with the button labelled `label`. */
export async function moveClock(page: Page, label: RegExp): Promise<void> {
  await page.getByRole('button', { name: label }).click();
}

/** In a lead view: books the first free slot (or moves the appointment to it). */
export async function bookFirstSlot(page: Page): Promise<void> {
  const panel = page.locator('section[aria-labelledby="appointments-title"]');
  await panel.getByRole('button', { name: /Agendar uma reunião|Book a meeting|Remarcar a reunião|Move the meeting/ }).click();
  const form = panel.locator('form');
  const select = form.locator('select');
  await select.locator('option').nth(1).waitFor({ state: 'attached' });
  await select.and(page.locator(':enabled')).waitFor();
  const first = await select.locator('option').nth(1).getAttribute('value');
  if (first === null) throw new Error('no free slot to book');
  await select.selectOption(first);
  await form.locator('button[type="submit"]').click();
}

/** In the billing view: chooses `content` as the batch file. */
export async function chooseBatchFile(page: Page, content: string): Promise<void> {
  await page.locator('#batch-file').setInputFiles({ name: 'batch.json', mimeType: 'application/json', buffer: Buffer.from(content) });
}
