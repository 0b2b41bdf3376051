/** The tenant's Deepgram settings and the adapters' dependencies, validated once. */
import { ValidationError, type Logger } from '@sdr/core';
import { WebSocket } from 'ws';
import { deepgramDefaultBaseUrl } from './deepgram-api.js';
import type { WebSocketClass } from './deepgram-socket.js';

/** The `deepgram` part of a tenant's voice integration, plus tuning with safe defaults. */
export interface DeepgramConfig {
  readonly apiKey: string;
  /** Live STT model; default `nova-3`. */
  readonly sttModel?: string;
  /** TTS voice model; default `aura-2-thalia-en`. */
  readonly ttsModel?: string;
  /** `wss://api.deepgram.com` unless set (a regional endpoint, or a local fake in tests). */
  readonly baseUrl?: string;
  /** BCP-47 language of the caller, e.g. `pt-BR`; Deepgram's default when absent. */
  readonly language?: string;
  /** Silence after which Deepgram ends an utterance (`endpointing`); default 300 ms. */
  readonly endpointingMs?: number;
  /** Gap between words that sends `UtteranceEnd` (`utterance_end_ms`, at least 1000); default 1000 ms. */
  readonly utteranceEndMs?: number;
  /**
   * How often a silent listen stream sends `KeepAlive`; default 3000 ms. Deepgram closes a stream
   * after 10 s without audio or a text message, and the check can lag one interval, so keep it
   * under 5 s.
   */
  readonly keepAliveIntervalMs?: number;
  /** Time allowed for the WebSocket upgrade; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Time allowed for a polite close (`CloseStream`, `Close`) before the socket is cut; default 3000 ms. */
  readonly closeTimeoutMs?: number;
  /**
   * How long TTS audio is dropped after `Clear` while waiting for `Cleared`; default 2000 ms. A
   * safety net only: audio resumes at `Cleared`, and a reply started before it still speaks.
   */
  readonly clearConfirmTimeoutMs?: number;
}

/** What the Deepgram adapters need besides the config. */
export interface DeepgramDeps {
  readonly logger: Logger;
  /** The `ws` client class; the real one unless a test injects another. */
  readonly WebSocket?: WebSocketClass;
}

/** A config with every default applied. */
export interface ResolvedDeepgramConfig {
  readonly apiKey: string;
  readonly sttModel: string | undefined;
  readonly ttsModel: string | undefined;
  readonly baseUrl: string;
  readonly language: string | undefined;
  readonly endpointingMs: number;
  readonly utteranceEndMs: number;
  readonly keepAliveIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly clearConfirmTimeoutMs: number;
  readonly WebSocket: WebSocketClass;
  readonly logger: Logger;
}

function positive(field: string, value: number | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < minimum)
    throw ValidationError.forField(`deepgram.${field}`, `must be a number of milliseconds ≥ ${minimum}, got ${String(value)}`);
  return value;
}

/** Validates the config (bad input ⇒ `ValidationError` naming the field) and applies defaults. */
export function resolveDeepgramConfig(config: DeepgramConfig, deps: DeepgramDeps): ResolvedDeepgramConfig {
  if (typeof config.apiKey !== 'string' || config.apiKey.trim() === '')
    throw ValidationError.forField('deepgram.apiKey', 'is required (a Deepgram API key)');
  const baseUrl = config.baseUrl ?? deepgramDefaultBaseUrl;
  let protocol: string;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    throw ValidationError.forField('deepgram.baseUrl', `is not a URL: ${baseUrl}`);
  }
  if (protocol !== 'wss:' && protocol !== 'ws:')
    throw ValidationError.forField('deepgram.baseUrl', `must be a wss:// (or ws://) URL, got ${protocol}`);
  return {
    apiKey: config.apiKey.trim(),
    sttModel: config.sttModel,
    ttsModel: config.ttsModel,
    baseUrl,
    language: config.language,
    endpointingMs: positive('endpointingMs', config.endpointingMs, 300, 10),
    utteranceEndMs: positive('utteranceEndMs', config.utteranceEndMs, 1000, 1000),
    keepAliveIntervalMs: positive('keepAliveIntervalMs', config.keepAliveIntervalMs, 3000),
    connectTimeoutMs: positive('connectTimeoutMs', config.connectTimeoutMs, 5000),
    closeTimeoutMs: positive('closeTimeoutMs', config.closeTimeoutMs, 3000),
    clearConfirmTimeoutMs: positive('clearConfirmTimeoutMs', config.clearConfirmTimeoutMs, 2000),
    WebSocket: deps.WebSocket ?? WebSocket,
    logger: deps.logger,
  };
}

/** Closes politely by sending `message`, and cuts the socket if the far end has not closed in time. */
export function closePolitely(
  socket: InstanceType<WebSocketClass>,
  message: string,
  timeoutMs: number,
  closed: Promise<void>,
): Promise<void> {
  if (socket.readyState === socket.OPEN) socket.send(message);
  else if (socket.readyState === socket.CONNECTING) socket.terminate();
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  timer.unref();
  return closed.finally(() => clearTimeout(timer));
}
