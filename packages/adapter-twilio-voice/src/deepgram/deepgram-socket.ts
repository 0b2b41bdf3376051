/** Opening an authenticated Deepgram WebSocket, with its failures mapped once. */
import { AbortedError, type Logger, type SdrError } from '@sdr/core';
import { WebSocket, type RawData } from 'ws';
import { closePolitely } from './deepgram-config.js';
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

/** How an open Deepgram stream ends, the same for listening and speaking. */
export interface DeepgramStreamLifecycle {
  /** Settles when the socket closes (see `socketClosed`). */
  readonly closed: Promise<void>;
  /** Whether we asked for the end (a polite close or the caller's abort): nothing more is sent. */
  isClosing(): boolean;
  /** Sends `closeMessage` once and waits for the close, forced after `closeTimeoutMs`; idempotent. */
  close(): Promise<void>;
  /** Sends `data` while the stream is open and not closing; `false` when it was dropped. */
  send(data: string | Uint8Array): boolean;
}

/**
 * Wires the end of an open stream: the caller's `signal` terminates it, `onClosed` runs once it is
 * closed (timers to clear), and `close` ends it politely with `closeMessage`.
 */
export function deepgramStreamLifecycle(
  socket: WebSocket,
  input: {
    readonly operation: 'listen' | 'speak';
    readonly logger: Logger;
    readonly signal: AbortSignal | undefined;
    readonly closeMessage: string;
    readonly closeTimeoutMs: number;
    readonly onClosed: () => void;
  },
): DeepgramStreamLifecycle {
  let closing = false;
  let closingPromise: Promise<void> | undefined;
  const closed = socketClosed(socket, input.operation, () => closing, input.logger);
  const onAbort = () => {
    closing = true;
    socket.terminate();
  };
  input.signal?.addEventListener('abort', onAbort, { once: true });
  void closed
    .finally(() => {
      input.onClosed();
      input.signal?.removeEventListener('abort', onAbort);
    })
    .catch(() => undefined);
  return {
    closed,
    isClosing: () => closing,
    close() {
      closingPromise ??= (() => {
        closing = true;
        return closePolitely(socket, input.closeMessage, input.closeTimeoutMs, closed);
      })();
      return closingPromise;
    },
    send(data) {
      if (closing || socket.readyState !== socket.OPEN) return false;
      socket.send(data);
      return true;
    },
  };
}
