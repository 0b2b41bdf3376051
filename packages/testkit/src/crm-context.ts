/**
 * What the CRM tests share: the subject (pacing itself, or paced by the suite, under the
 * provider's rate limit), the effective capabilities, and shorthands for arranging leads.
 */
import { randomInt } from 'node:crypto';
import {
  getCrmLead,
  upsertCrmLead,
  type CrmCapabilities,
  type CrmLead,
  type CrmLeadSnapshot,
  type CrmPort,
  type CrmStageRef,
  type RateLimiter,
} from '@sdr/core';
import { expect } from 'vitest';
import { buildPhoneNumber } from './fixtures.js';
import { arrange, createTimeControl, type ConformanceOptions, type SubjectBase, type TimeControl } from './harness.js';
import { createPacer, pacedCrm } from './pacing.js';

/** What `create` returns for the CRM suite. */
export interface CrmSubject extends SubjectBase {
  /** The implementation under test. */
  readonly crm: CrmPort;
  /**
   * At least two custom-field ids the CRM knows that accept text values. Without them the
   * custom-field tests are skipped.
   */
  readonly customFieldIds?: readonly string[];
  /** A lead id of the provider's id format that does not exist (default: a random 10-digit number). */
  readonly unknownLeadId?: string;
  /**
   * How the implementation paces itself (the port's pacing clause): the `RateLimiter` it was
   * created with, the bucket key of its account, and the rate it paces at (default
   * `capabilities.requestsPerSecond`). With it the suite proves the pacing and leaves the pacing
   * of its own calls to the implementation; without it the pacing tests are skipped and the suite
   * paces its calls itself (unless `pace: false`).
   */
  readonly pacing?: {
    readonly rateLimiter: RateLimiter;
    readonly key: string;
    readonly requestsPerSecond?: number;
  };
}

/** Side door into the CRM (the in-memory board, or the msw request log of an HTTP adapter). */
export interface CrmInspector<Subject extends CrmSubject> {
  /** The notes stored on a lead, with the idempotency key each was written with. */
  notes?(subject: Subject, leadId: string): Promise<readonly { readonly idempotencyKey: string | null }[]>;
  /** How many requests the provider has received so far (proves "one request" and "nothing sent" claims). */
  requestCount?(subject: Subject): Promise<number>;
  /** When each request the provider received so far arrived (proves the pacing in every one-second window). */
  requestTimes?(subject: Subject): Promise<readonly Date[]>;
}

/** Capabilities the suite assumes: the port's declared ones, overridable, plus suite-only ones. */
export interface CrmSuiteCapabilities extends CrmCapabilities {
  /**
   * Whether writing an unknown custom-field id is refused with a `ValidationError` (default true).
   * Set false for providers that accept such writes silently (reconciliation catches them).
   */
  readonly rejectsUnknownFieldIds: boolean;
}

export interface CrmConformanceOptions<Subject extends CrmSubject = CrmSubject> extends ConformanceOptions<Subject> {
  /** Side door for the checks the port cannot prove; without it they are skipped (and annotated). */
  readonly inspect?: CrmInspector<Subject>;
  /** Overrides of the capabilities the port declares (narrow what the suite exercises). */
  readonly capabilities?: Partial<CrmSuiteCapabilities>;
  /**
   * For a subject without `pacing`: space the suite's calls under `capabilities.requestsPerSecond`
   * (default true) — the suite must not trip the provider's limit. On a virtual clock the pacing
   * advances the clock.
   */
  readonly pace?: boolean;
}

/**
 * One test's world. `crm` is the subject's port, paced (by itself or by the suite) and driven:
 * on a virtual clock each call advances the clock while it waits on it. `raw` is the port as
 * the subject gave it, for tests that watch a call wait.
 */
export interface CrmWorld<Subject extends CrmSubject> {
  readonly subject: Subject;
  readonly crm: CrmPort;
  readonly raw: CrmPort;
  readonly capabilities: CrmSuiteCapabilities;
  readonly time: TimeControl;
  readonly unknownLeadId: string;
  /** Creates a lead (and its contact) with a fresh phone. */
  newLead(input?: { readonly tags?: readonly string[]; readonly name?: string }): Promise<CrmLead>;
  /** `getCrmLead` that fails the test when the lead is missing. */
  read(leadId: string): Promise<CrmLeadSnapshot>;
  /** A pipeline with its statuses, plus a stage the CRM does not have. */
  stages(): Promise<{ readonly known: readonly CrmStageRef[]; readonly unknownStatus: CrmStageRef; readonly unknownPipeline: CrmStageRef }>;
}

export type CrmSetup<Subject extends CrmSubject> = () => Promise<CrmWorld<Subject>>;

export function crmSetup<Subject extends CrmSubject>(options: CrmConformanceOptions<Subject>): CrmSetup<Subject> {
  return async () => {
    const subject = await arrange(options);
    const time = createTimeControl(subject.clock);
    const capabilities: CrmSuiteCapabilities = { ...subject.crm.capabilities, rejectsUnknownFieldIds: true, ...options.capabilities };
    const paced =
      subject.pacing !== undefined || options.pace === false
        ? subject.crm
        : pacedCrm(subject.crm, createPacer(time, capabilities.requestsPerSecond));
    const crm = drivenCrm(paced, time);
    const unknownLeadId = subject.unknownLeadId ?? String(randomInt(1_000_000_000, 2_000_000_000));

    const newLead: CrmWorld<Subject>['newLead'] = async (input = {}) => {
      const { lead, created } = await upsertCrmLead(crm, {
        phone: buildPhoneNumber(),
        name: input.name ?? 'Conformance Lead',
        tags: input.tags ?? [],
      });
      expect(created).toBe(true);
      return lead;
    };
    const read = async (leadId: string): Promise<CrmLeadSnapshot> => {
      const lead = await getCrmLead(crm, leadId);
      if (!lead) return expect.fail(`CRM lead ${leadId} is missing`);
      return lead;
    };
    const stages: CrmWorld<Subject>['stages'] = async () => {
      const pipelines = await crm.listPipelines();
      const pipeline =
        pipelines.find((candidate) => candidate.statuses.length >= 2) ?? pipelines.find((candidate) => candidate.statuses.length > 0);
      if (!pipeline) return expect.fail('listPipelines returned no pipeline with a status');
      const known = pipeline.statuses.map((status) => ({ pipelineId: pipeline.pipelineId, statusId: status.statusId }));
      const allStatusIds = pipelines.flatMap((candidate) => candidate.statuses.map((status) => status.statusId));
      const allPipelineIds = pipelines.map((candidate) => candidate.pipelineId);
      const firstKnown = known[0];
      if (!firstKnown) return expect.fail('the pipeline has no status');
      return {
        known,
        unknownStatus: { pipelineId: pipeline.pipelineId, statusId: unusedId(allStatusIds) },
        unknownPipeline: { pipelineId: unusedId(allPipelineIds), statusId: firstKnown.statusId },
      };
    };
    return { subject, crm, raw: subject.crm, capabilities, time, unknownLeadId, newLead, read, stages };
  };
}

/** `crm` with every call awaited through `time.settle`: a call waiting on a virtual clock (pacing) moves it. */
function drivenCrm(crm: CrmPort, time: TimeControl): CrmPort {
  return {
    contractVersion: crm.contractVersion,
    provider: crm.provider,
    capabilities: crm.capabilities,
    findLeadByPhone: (phone, options) => time.settle(crm.findLeadByPhone(phone, options)),
    findContactByPhone: (phone, options) => time.settle(crm.findContactByPhone(phone, options)),
    upsertLeads: (inputs, options) => time.settle(crm.upsertLeads(inputs, options)),
    upsertContacts: (inputs, options) => time.settle(crm.upsertContacts(inputs, options)),
    getLeads: (leadIds, options) => time.settle(crm.getLeads(leadIds, options)),
    updateLeads: (patches, options) => time.settle(crm.updateLeads(patches, options)),
    addNotes: (notes, options) => time.settle(crm.addNotes(notes, options)),
    listPipelines: (options) => time.settle(crm.listPipelines(options)),
    health: (options) => time.settle(crm.health(options)),
  };
}

/** An id of the same kind (numeric when all are numeric) that is not among `ids`. */
function unusedId(ids: readonly string[]): string {
  if (ids.length > 0 && ids.every((id) => /^\d+$/.test(id))) {
    const max = ids.reduce((highest, id) => Math.max(highest, Number(id)), 0);
    return String(max + 1);
  }
  let candidate = 'conformance-unknown';
  while (ids.includes(candidate)) candidate += '-x';
  return candidate;
}
