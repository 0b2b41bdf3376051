/**
 * `pnpm screenshots`: starts `sdr serve` on the embedded default, tours the console in Chromium
 * and writes a screenshot of each view to `docs/screenshots/` (shown in the README).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser } from './browser.js';
import { tourConsole } from './console-tour.js';
import { repositoryRoot, startSdrServe } from './sdr-serve.js';

const directory = join(repositoryRoot, 'docs', 'screenshots');

const [server, browser] = await Promise.all([startSdrServe({ SDR_DISPATCH_POLL_MS: '200', SDR_DISPATCH_PACING_MS: '0' }), launchBrowser()]);
try {
  await mkdir(directory, { recursive: true });
  const page = await (await browser.newContext()).newPage();
  await tourConsole({
    page,
    url: server.url,
    key: server.demoKey,
    onView: async (view) => {
      const path = join(directory, `${view}.png`);
      await page.screenshot({ path, fullPage: view !== 'billing' });
      process.stdout.write(`wrote ${path}\n`);
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
