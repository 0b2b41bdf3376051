/**
 * The fake Google Calendar behind a real HTTP server on the loopback interface, for benches and
 * tests that need real sockets: the API at `rootUrl`, the token endpoint at `tokenUrl`, and an
 * optional latency added to every answer (Google answers in about 200 ms).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFakeGoogleCalendar, type FakeGoogleCalendar, type FakeGoogleCalendarOptions } from './fake-google-calendar.js';

/** A running fake server. */
export interface FakeGoogleCalendarServer {
  readonly fake: FakeGoogleCalendar;
  /** `http://127.0.0.1:<port>/`: the `rootUrl` to give the adapter. */
  readonly rootUrl: string;
  /** `http://127.0.0.1:<port>/token`: the `tokenUrl` to give the adapter. */
  readonly tokenUrl: string;
  /** Stops accepting, drops open connections and resolves once closed. */
  close(): Promise<void>;
}

/** Options of `startFakeGoogleCalendarServer`. */
export interface FakeGoogleCalendarServerOptions extends Omit<FakeGoogleCalendarOptions, 'rootUrl' | 'tokenUrl'> {
  /** Added before every answer, in milliseconds (default 0). */
  readonly latencyMs?: number;
  /** Default: a free port. */
  readonly port?: number;
}

/** Starts a fake Google on 127.0.0.1. */
export async function startFakeGoogleCalendarServer(options: FakeGoogleCalendarServerOptions = {}): Promise<FakeGoogleCalendarServer> {
  // The fake needs the port in its URLs, known once listening; requests only come after that.
  const holder: { fake?: FakeGoogleCalendar } = {};
  const server = createServer((incoming, outgoing) => {
    if (holder.fake !== undefined) void answer(holder.fake, options.latencyMs ?? 0, incoming, outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const rootUrl = `http://127.0.0.1:${port}/`;
  const tokenUrl = `${rootUrl}token`;
  const fake = createFakeGoogleCalendar({ ...options, rootUrl, tokenUrl });
  holder.fake = fake;
  return {
    fake,
    rootUrl,
    tokenUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function answer(fake: FakeGoogleCalendar, latencyMs: number, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const url = new URL(incoming.url ?? '/', fake.rootUrl);
  const body = chunks.length === 0 || incoming.method === 'GET' || incoming.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  if (latencyMs > 0) await sleep(latencyMs);
  const response = await fake.handle(
    new Request(url, { method: incoming.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) }),
  );
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}
