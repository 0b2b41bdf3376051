/**
 * `GET /instance/connectionState/{instance}`: whether an instance exists and is connected to
 * WhatsApp. Used by the port's `health` and by the integration's validation; failures are
 * described for an operator (which setting to check), never thrown — except the caller's abort.
 */
import type { Clock } from '@sdr/core';
import { connectionStateResponseSchema } from './evolution-api.js';
import { segment, type EvolutionClient } from './evolution-client.js';
import type { EvolutionFailure } from './evolution-errors.js';

/** The instance's state (`open`, `connecting`, `close`, …), or why it could not be read. */
export type ConnectionStateProbe =
  | { readonly kind: 'state'; readonly state: string }
  | { readonly kind: 'unavailable'; readonly detail: string; readonly failure: EvolutionFailure };

/** Asks Evolution for the state of `instance`. */
export async function probeConnectionState(input: {
  readonly client: EvolutionClient;
  readonly instance: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}): Promise<ConnectionStateProbe> {
  const { instance } = input;
  const outcome = await input.client.call({
    operation: 'connectionState',
    method: 'get',
    path: `instance/connectionState/${segment(instance)}`,
    schema: connectionStateResponseSchema,
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  });
  if (outcome.ok) return { kind: 'state', state: outcome.value.instance.state };
  const { failure } = outcome;
  return { kind: 'unavailable', detail: describeFailure(failure, instance), failure };
}

function describeFailure(failure: EvolutionFailure, instance: string): string {
  switch (failure.kind) {
    case 'http':
      if (failure.status === 401 || failure.status === 403) return `Evolution refused the API key (${failure.status})`;
      if (failure.status === 404) return `instance "${instance}" does not exist on the Evolution server`;
      return `Evolution answered ${failure.status}`;
    case 'timeout':
      return `Evolution did not answer within ${failure.timeoutMs} ms`;
    case 'network':
      return `Evolution is unreachable${failure.code ? ` (${failure.code})` : ''}`;
    case 'malformed':
      return `Evolution answered ${failure.status} with an unexpected body (${failure.issue})`;
    case 'too_large':
      return 'Evolution answered with an unexpectedly large body';
  }
}
