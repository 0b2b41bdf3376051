/**
 * The live stream of the tenant's domain events (`GET /v1/events/stream`), read with `fetch` so
 * that the key travels in the `Authorization` header and never in a URL. The stream is parsed
 * with eventsource-parser; when it ends (the server closes streams after a few minutes) or
 * breaks, it is opened again after a growing delay.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** A domain event of the tenant, as the stream sends it. */
export interface LiveEvent {
  readonly name: string;
  readonly data: { readonly tenantId: string; readonly leadId?: string | null; readonly [field: string]: unknown };
}

/** The state of the connection, for the "live" indicator. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'refused';

/** Options of `openLiveEvents`. */
export interface LiveEventsOptions {
  readonly key: string;
  readonly onEvent: (event: LiveEvent) => void;
  readonly onState: (state: LiveState) => void;
  readonly baseUrl?: string;
}

const maxDelayMs = 30_000;

/** Opens the stream; returns the function that closes it for good. */
export function openLiveEvents(options: LiveEventsOptions): () => void {
  const controller = new AbortController();
  let failures = 0;

  const readOnce = async (): Promise<'ended' | 'refused'> => {
    const response = await fetch(`${options.baseUrl ?? ''}/v1/events/stream`, {
      headers: { authorization: `Bearer ${options.key}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403) return 'refused';
    if (!response.ok || response.body === null) throw new Error(`the event stream answered ${response.status}`);
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'ended';
      if (value.event === 'ready') {
        failures = 0;
        options.onState('live');
      } else if (value.event !== 'end' && value.event !== undefined) {
        options.onEvent({ name: value.event, data: JSON.parse(value.data) as LiveEvent['data'] });
      }
    }
  };

  // A function, not the property: TypeScript would narrow `aborted` to false across the awaits.
  const stopped = (): boolean => controller.signal.aborted;
  const run = async () => {
    options.onState('connecting');
    while (!stopped()) {
      try {
        if ((await readOnce()) === 'refused') {
          options.onState('refused');
          return;
        }
      } catch {
        if (stopped()) return;
        failures += 1;
      }
      if (stopped()) return;
      options.onState('reconnecting');
      const delay = Math.min(maxDelayMs, 1000 * 2 ** Math.min(failures, 5));
      await new Promise((resolve) => setTimeout(resolve, failures === 0 ? 250 : delay));
    }
  };
  void run();
  return () => controller.abort();
}
