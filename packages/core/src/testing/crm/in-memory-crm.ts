/**
 * `createInMemoryCrm`: a `CrmPort` modelling a Kommo account closely enough that the CRM sync
 * can be proven against it — pipelines with the fixed won/lost statuses, custom fields checked
 * by id, tags added and removed (and Kommo's replacing tag write, reachable only through
 * `providerOptions['in-memory-crm'].tags` and marked in the log), idempotent notes, batches up to
 * a size limit, and the account's request budget: every request is logged, and refused with a
 * 429 beyond `requestsPerSecond` in any one-second window.
 *
 * Requests per call, as Kommo would need them: `upsertLeads` and `upsertContacts` search each
 * phone (`<method>.search`, one request per input: Kommo's contact search takes one term) and
 * then write the batch in one request; every other call is one request. Created with a
 * `rateLimiter`, the CRM paces each of those requests itself (the port's pacing clause), at
 * `requestsPerSecond` or the lower `pacedRequestsPerSecond`, and a wait honours the call's signal.
 *
 * Tests drive it from the side: `setOutage`, `blockIp`, `setLatency`, and `moveStageAsHuman`
 * (a change a person makes in the CRM's UI, which costs no API request).
 */
import { RateLimitedError, ValidationError } from '../../errors/index.js';
import { maxTagLength } from '../../domain/model/lead.js';
import type { CrmStageRef } from '../../domain/model/tenant.js';
import type { PhoneNumber } from '../../domain/identity/phone-number.js';
import { throwIfAborted, type CallOptions } from '../../ports/call-options.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmContact, CrmLeadSnapshot, CrmPipeline, CrmPort } from '../../ports/crm/crm-port.js';
import type { PortHealth } from '../../ports/health.js';
import type { RateLimiter } from '../../ports/rate-limiter/rate-limiter.js';
import { createRequestPacer, type RequestPacer } from '../../ports/rate-limiter/request-pacer.js';
import { CrmBoard, inMemoryCrmOptionsKey, type InMemoryCrmNote } from './crm-board.js';
import { createCrmRequestGate, type CrmRequestDetails, type CrmRequestRecord } from './crm-request-gate.js';
import { defaultCrmPipeline, withClosingStatuses } from './default-pipelines.js';

/** Options of `createInMemoryCrm`. */
export interface InMemoryCrmOptions {
  /** Times requests (rate limit, log) and stamps notes; a `VirtualClock` makes rate limits testable. */
  readonly clock: Clock;
  /** Pipelines of the account (default: `defaultCrmPipeline`). Statuses 142 and 143 are added to each. */
  readonly pipelines?: readonly CrmPipeline[];
  /** Custom field ids the account has; when given, any other id is a `ValidationError`. */
  readonly customFieldIds?: readonly string[];
  /** Most items a batch method accepts (default 50). */
  readonly maxBatchSize?: number;
  /** The longest tag accepted, in code points (default 100, the domain's `maxTagLength`); longer is a `ValidationError` naming it. */
  readonly maxTagLength?: number;
  /** Declare `maxTagLength` in `capabilities` (default `true`); `false` plays a CRM whose limit is unknown to its callers. */
  readonly declaresMaxTagLength?: boolean;
  /** Requests per second the account tolerates (default 7, Kommo's limit). */
  readonly requestsPerSecond?: number;
  /** Refuse requests beyond the limit with a 429 (default `true`). */
  readonly enforceRateLimit?: boolean;
  /** Paces every request with this limiter (one token each, burst one); without it, requests are not paced. */
  readonly rateLimiter?: RateLimiter;
  /** Pace lower than `requestsPerSecond` (never higher). */
  readonly pacedRequestsPerSecond?: number;
  /** Names the account in the pacing bucket `crm:in-memory-crm:<account>` (default `default`). */
  readonly account?: string;
}

/** The in-memory `CrmPort`, plus inspection and fault controls for tests. */
export interface InMemoryCrm extends CrmPort {
  /** Every request so far, refused ones included (status 429, 403, 503). */
  readonly requests: readonly CrmRequestRecord[];
  /** Most requests accepted within any one-second sliding window so far. */
  maxRequestsPerSecond(): number;
  clearRequests(): void;
  /** Every lead on the board, oldest first, with its note keys. */
  leads(): CrmLeadSnapshot[];
  contacts(): CrmContact[];
  /** The notes of a lead, oldest first. */
  notes(leadId: string): InMemoryCrmNote[];
  /** The stage ref of a status by its name (`stageRef('Reunião agendada')`). */
  stageRef(statusName: string, pipelineId?: string): CrmStageRef;
  /** While down, every request fails with a retryable `ProviderUnavailableError`. */
  setOutage(down: boolean): void;
  /** While blocked, every request fails like Kommo's IP block: `ProviderError` 403, not retryable, no body. */
  blockIp(blocked?: boolean): void;
  /** Every request takes `ms` on the clock before it is applied (advance a `VirtualClock` to let it finish). */
  setLatency(ms: number): void;
  /** A person moves the card in the CRM's UI: the stage changes without an API request. */
  moveStageAsHuman(leadId: string, stage: CrmStageRef): void;
}

/** The `provider` name of the in-memory CRM (also in its errors and its `providerOptions` key). */
export const inMemoryCrmProvider = inMemoryCrmOptionsKey;

function assertBatchSize(field: string, count: number, maxBatchSize: number): void {
  if (count > maxBatchSize) throw ValidationError.forField(field, `at most ${maxBatchSize} ${field} per request (got ${count})`);
}

/** Creates an in-memory CRM account with an empty board. */
export function createInMemoryCrm(options: InMemoryCrmOptions): InMemoryCrm {
  const maxBatchSize = options.maxBatchSize ?? 50;
  const requestsPerSecond = options.requestsPerSecond ?? 7;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
    throw ValidationError.forField('maxBatchSize', 'must be a whole number, 1 or more');
  if (!(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0))
    throw ValidationError.forField('requestsPerSecond', 'must be a positive number');

  const pipelines = options.pipelines ?? [defaultCrmPipeline];
  if (pipelines.length === 0) throw ValidationError.forField('pipelines', 'the CRM needs at least one pipeline');
  const tagLimit = options.maxTagLength ?? maxTagLength;
  if (!Number.isInteger(tagLimit) || tagLimit < 1) throw ValidationError.forField('maxTagLength', 'must be a whole number, 1 or more');
  const board = new CrmBoard(options.clock, pipelines.map(withClosingStatuses), options.customFieldIds, tagLimit);
  const gate = createCrmRequestGate({
    clock: options.clock,
    provider: inMemoryCrmProvider,
    requestsPerSecond,
    enforceRateLimit: options.enforceRateLimit ?? true,
  });
  const pacer: RequestPacer | null =
    options.rateLimiter === undefined
      ? null
      : createRequestPacer({
          rateLimiter: options.rateLimiter,
          clock: options.clock,
          key: `crm:${inMemoryCrmProvider}:${options.account ?? 'default'}`,
          maxRequestsPerSecond: requestsPerSecond,
          ...(options.pacedRequestsPerSecond === undefined ? {} : { requestsPerSecond: options.pacedRequestsPerSecond }),
          provider: inMemoryCrmProvider,
        });

  /** One request to the account: paced (when created with a limiter), then through the gate. */
  const request = async <T>(method: string, callOptions: CallOptions | undefined, operation: () => T, details?: CrmRequestDetails) => {
    throwIfAborted(callOptions, { provider: inMemoryCrmProvider, operation: method });
    await pacer?.next(method, callOptions);
    return gate.handle(method, operation, details, callOptions);
  };

  /** An upsert batch: a phone search per input (Kommo's contact search takes one term), then the batch's write. */
  const upsertBatch = async <Result>(
    method: string,
    phones: readonly PhoneNumber[],
    callOptions: CallOptions | undefined,
    write: () => Result[],
  ): Promise<Result[]> => {
    assertBatchSize('inputs', phones.length, maxBatchSize);
    if (phones.length === 0) return [];
    for (const phone of phones) await request(`${method}.search`, callOptions, () => board.findContact(phone));
    return request(method, callOptions, write, { items: phones.length });
  };

  return {
    contractVersion: 'v1',
    provider: inMemoryCrmProvider,
    capabilities: Object.freeze({
      batchUpdate: true,
      batchNotes: true,
      maxBatchSize,
      requestsPerSecond,
      ...(options.declaresMaxTagLength === false ? {} : { maxTagLength: tagLimit }),
    }),

    findLeadByPhone: (phone, callOptions) => request('findLeadByPhone', callOptions, () => board.findLeadByPhone(phone)),
    findContactByPhone: (phone, callOptions) => request('findContactByPhone', callOptions, () => board.findContact(phone)),

    upsertLeads: (inputs, callOptions) =>
      upsertBatch(
        'upsertLeads',
        inputs.map((input) => input.phone),
        callOptions,
        () => board.upsertLeads(inputs),
      ),

    upsertContacts: (inputs, callOptions) =>
      upsertBatch(
        'upsertContacts',
        inputs.map((input) => input.phone),
        callOptions,
        () => board.upsertContacts(inputs),
      ),

    async getLeads(leadIds, callOptions) {
      assertBatchSize('leadIds', leadIds.length, maxBatchSize);
      if (leadIds.length === 0) return [];
      return request('getLeads', callOptions, () => board.snapshots(leadIds), { items: leadIds.length });
    },

    async updateLeads(patches, callOptions) {
      assertBatchSize('patches', patches.length, maxBatchSize);
      if (patches.length === 0) return;
      await request('updateLeads', callOptions, () => board.applyPatches(patches), {
        items: patches.length,
        replacedTags: board.replacesTags(patches),
      });
    },

    async addNotes(notes, callOptions) {
      assertBatchSize('notes', notes.length, maxBatchSize);
      if (notes.length === 0) return [];
      return request('addNotes', callOptions, () => board.addNotes(notes), { items: notes.length });
    },

    listPipelines: (callOptions) => request('listPipelines', callOptions, () => board.pipelines()),

    // Health reports rather than throws: it is what `/readyz` and the sync worker's gate read.
    async health(callOptions): Promise<PortHealth> {
      try {
        return await request('health', callOptions, () => ({ status: 'up' as const, checkedAt: options.clock.now() }));
      } catch (error) {
        const checkedAt = options.clock.now();
        if (RateLimitedError.isInstance(error)) return { status: 'degraded', detail: 'rate limited (429)', checkedAt };
        if (callOptions?.signal?.aborted === true) throw error;
        return { status: 'down', detail: gate.blocked ? 'blocked (403): stop and alert' : 'unreachable', checkedAt };
      }
    },

    get requests() {
      return gate.requests;
    },
    maxRequestsPerSecond: () => gate.maxRequestsPerSecond(),
    clearRequests: () => gate.clearRequests(),
    leads: () => board.allSnapshots(),
    contacts: () => board.contacts(),
    notes: (leadId) => board.notes(leadId),
    stageRef: (statusName, pipelineId) => board.stageRef(statusName, pipelineId),
    setOutage: (down) => gate.setOutage(down),
    blockIp: (blocked = true) => gate.blockIp(blocked),
    setLatency: (ms) => gate.setLatency(ms),
    moveStageAsHuman: (leadId, stage) => board.moveStage(leadId, stage),
  };
}
