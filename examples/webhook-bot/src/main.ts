/**
 * `pnpm start` in this folder: the bot on `PORT` (default 3030), answering every message a lead
 * writes. Set `SDR_API_URL`, `SDR_API_KEY` (the tenant's key) and `SDR_WEBHOOK_SECRET` (the
 * endpoint's `whsec_…` secret).
 */
import { createServer } from 'node:http';
import { createBot } from './bot.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set: the bot needs it (see README.md)`);
  return value;
}

const bot = createBot({
  secret: required('SDR_WEBHOOK_SECRET'),
  apiUrl: required('SDR_API_URL').replace(/\/+$/, ''),
  apiKey: required('SDR_API_KEY'),
  answer: (message) => `Oi! Recebemos: “${message.body.slice(0, 200)}”. Já te respondo.`,
});
const port = Number(process.env['PORT'] ?? '3030');
createServer(bot.listener).listen(port, () => {
  console.log(`webhook bot listening on port ${String(port)}`);
});
