/**
 * `pnpm --filter @sdr/console generate:api`: starts `sdr serve`, reads its OpenAPI document, and
 * writes it with the types generated from it. Run it after changing a route of the server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { documentPath, fetchDocument, typesOf, typesPath } from './api-document.js';
import { startSdrServe } from './sdr-serve.js';

const server = await startSdrServe();
try {
  const document = await fetchDocument(server.url);
  await mkdir(dirname(documentPath), { recursive: true });
  await mkdir(dirname(typesPath), { recursive: true });
  await writeFile(documentPath, document);
  await writeFile(typesPath, await typesOf(document));
  process.stdout.write(`wrote ${documentPath} and ${typesPath}\n`);
} finally {
  await server.stop();
}
