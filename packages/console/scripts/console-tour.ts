/**
 * A tour of every view of the console with data in it, as a newcomer gets there: the sign-in
 * page, then a lead that wrote, was answered, re-engaged and booked, a billing plan on screen.
 * `onView` is called on each view once it has settled — the screenshots script photographs it,
 * the accessibility test checks it.
 */
import type { Page } from 'playwright-core';
import { billingBatch, bookFirstSlot, chatAsLead, chooseBatchFile, moveClock, openView, replyAsTeam, signIn } from './console-story.js';

/** The views of the tour, in order. */
export const tourViews = ['sign-in', 'sandbox', 'lead', 'board', 'calendar', 'billing', 'health'] as const;
export type TourView = (typeof tourViews)[number];

const settle = 20_000;

/** Plays the tour on `page` (a fresh tab) against the server at `url`, signed in with `key`. */
export async function tourConsole(input: {
  readonly page: Page;
  readonly url: string;
  readonly key: string;
  readonly onView: (view: TourView) => Promise<void>;
}): Promise<void> {
  const { page, url, key, onView } = input;
  await page.goto(`${url}/console/`);
  await page.locator('#api-key').waitFor();
  await input.onView('sign-in');

  await signIn(page, url, key, '/console/sandbox');
  await chatAsLead(page, { phone: '+55 21 99876-5432', name: 'Bruno Lima', text: 'Qual o preço?' });
  await page.locator('.conversation .message').first().waitFor();
  await chatAsLead(page, { phone: '+55 11 98765-4321', name: 'Ana Souza', text: 'Oi! Quero saber mais sobre o plano.' });
  await page.locator('.conversation .message', { hasText: 'plano' }).waitFor();
  await replyAsTeam(page, 'Olá Ana! Posso te mostrar como funciona? Tem 15 minutos amanhã?');
  await moveClock(page, /\+31/);
  await page.locator('.channel li[data-kind="reengage_1"]').waitFor({ timeout: settle });
  await onView('sandbox');

  const href = await page.getByRole('link', { name: /Abrir este lead|Open this lead/ }).getAttribute('href');
  await page.goto(`${url}${href ?? '/console/'}`);
  await page.locator('.scheduled li[data-kind="reengage_1"][data-status="sent"]').waitFor({ timeout: settle });
  await bookFirstSlot(page);
  await page.locator('.scheduled li[data-kind="reminder_2h"]').waitFor({ timeout: settle });
  await onView('lead');

  await openView(page, /Quadro|Board/);
  await page.locator('[data-stage="meeting_scheduled"] .card').waitFor({ timeout: settle });
  await onView('board');

  await openView(page, /Agenda|Calendar/);
  await page.locator('.day-appointments li').first().waitFor({ timeout: settle });
  await onView('calendar');

  await openView(page, /Cobrança|Billing/);
  await chooseBatchFile(page, billingBatch(new Date()));
  await page.locator('section.plan').waitFor({ timeout: settle });
  await onView('billing');

  await openView(page, /Saúde|Health/);
  await page.locator('.checks li').first().waitFor({ timeout: settle });
  await page.locator('#workers-title').waitFor();
  await onView('health');
}
