/**
 * The fake Kommo behind a real HTTP server on the loopback interface, for benches and for
 * tests that need real sockets: a `network` fault destroys the connection after the request was
 * read, as a proxy or a crashing server would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeKommo } from './fake-kommo.js';

/** A running fake server. */
export interface FakeKommoServer {
  /** `http://127.0.0.1:<port>` plus the fake's base path: the `baseUrl` to give the adapter. */
  readonly baseUrl: string;
  /** Stops accepting, drops open connections and resolves once closed. */
  close(): Promise<void>;
}

/** Serves `fake` on 127.0.0.1 (a free port unless `port` is given). */
export async function startFakeKommoServer(fake: FakeKommo, options: { readonly port?: number } = {}): Promise<FakeKommoServer> {
  const basePath = new URL(fake.baseUrl).pathname.replace(/\/+$/, '');
  const server = createServer((incoming, outgoing) => {
    void answer(fake, incoming, outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(fake: FakeKommo, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const aborted = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  // The fake routes on its own base URL: rebuild the request against it.
  const url = new URL(incoming.url ?? '/', new URL(fake.baseUrl).origin);
  const body = chunks.length === 0 || incoming.method === 'GET' || incoming.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  const response = await fake.handle(
    new Request(url, { method: incoming.method ?? 'GET', headers, signal: aborted.signal, ...(body === undefined ? {} : { body }) }),
  );
  if (response.type === 'error') {
    incoming.socket.destroy();
    return;
  }
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}
