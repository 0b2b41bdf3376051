/** Opening an authenticated Deepgram WebSocket, with its failures mapped once. */
import { AbortedError, type Logger, type SdrError } from '@sdr/core';
import { WebSocket, type RawData } from 'ws';
import { deepgramCloseError, deepgramConnectError, deepgramUpgradeError } from './deepgram-errors.js';

/** The `ws` client class (injectable for tests). */
export type WebSocketClass = typeof WebSocket;

/** What `connectDeepgram` needs. */
export interface ConnectDeepgramInput {
  readonly url: string;
  readonly apiKey: string;
  readonly operation: 'listen' | 'speak';
  readonly WebSocket: WebSocketClass;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
}

/** Resolves with an open socket, or rejects with an `SdrError` naming why it could not open. */
export function connectDeepgram(input: ConnectDeepgramInput): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    if (input.signal?.aborted) {
      reject(new AbortedError({ provider: 'deepgram', operation: input.operation, cause: input.signal.reason }));
      return;
    }
    // Deepgram authenticates with `Token <key>`, not `Bearer`.
    const socket = new input.WebSocket(input.url, {
      headers: { Authorization: `Token ${input.apiKey}` },
      handshakeTimeout: input.connectTimeoutMs,
    });
    let settled = false;
    const settle = (error: SdrError | undefined) => {
      if (settled) return;
      settled = true;
      input.signal?.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve(socket);
        return;
      }
      socket.removeAllListeners('open');
      // Errors after a failed upgrade are expected (the request is torn down): log, never crash.
      socket.on('error', (late) =>
        input.logger.debug(
          { provider: 'deepgram', operation: input.operation, error: late.message },
          'deepgram socket error after failure',
        ),
      );
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      reject(error);
    };
    const onAbort = () => settle(new AbortedError({ provider: 'deepgram', operation: input.operation, cause: input.signal?.reason }));
    input.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => settle(undefined));
    socket.once('unexpected-response', (request, response) => {
      const requestId = response.headers['dg-request-id'];
      settle(
        deepgramUpgradeError(
          input.operation,
          response.statusCode ?? 0,
          response.statusMessage ?? '',
          typeof requestId === 'string' ? requestId : undefined,
        ),
      );
      request.destroy();
    });
    socket.once('error', (error) => settle(deepgramConnectError(input.operation, error)));
  });
}

/**
 * Settles when the open socket closes: resolves when `expected()` says we asked for it (or the
 * close is normal after we asked), rejects with a mapped error otherwise. Marked handled so that
 * an unobserved failure never becomes an unhandled rejection; callers still see it when they await.
 */
export function socketClosed(socket: WebSocket, operation: 'listen' | 'speak', expected: () => boolean, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('error', (error) => logger.warn({ provider: 'deepgram', operation, error: error.message }, 'deepgram socket error'));
    socket.once('close', (code, reasonBuffer) => {
      const reason = reasonBuffer.toString('utf8');
      if (expected()) {
        resolve();
        return;
      }
      logger.warn({ provider: 'deepgram', operation, code, reason }, 'deepgram closed the stream');
      reject(deepgramCloseError(operation, code, reason));
    });
  });
  closed.catch(() => undefined);
  return closed;
}

/** The bytes of one received frame, whatever shape `ws` delivered it in. */
export function frameBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** The text of one received text frame. */
export function frameText(data: RawData): string {
  return frameBytes(data).toString('utf8');
}
