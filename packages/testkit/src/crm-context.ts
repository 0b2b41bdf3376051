/**
 * What the CRM tests share: the subject (paced under the provider's rate limit), the effective
 * capabilities, and shorthands for arranging leads.
 */
import { randomInt } from 'node:crypto';
import type { CrmCapabilities, CrmLead, CrmLeadSnapshot, CrmPort, CrmStageRef } from '@sdr/core';
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
}

/** Side door into the CRM (the in-memory board, or the msw request log of an HTTP adapter). */
export interface CrmInspector<Subject extends CrmSubject> {
  /** The notes stored on a lead, with the idempotency key each was written with. */
  notes?(subject: Subject, leadId: string): Promise<readonly { readonly idempotencyKey: string | null }[]>;
  /** How many requests the provider has received so far (proves "one request" claims). */
  requestCount?(subject: Subject): Promise<number>;
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
   * Space the suite's calls under `capabilities.requestsPerSecond` (default true): the suite
   * must not trip the provider's limit. On a virtual clock the pacing advances the clock.
   */
  readonly pace?: boolean;
}

/** One test's world. `crm` is the subject's port, paced. */
export interface CrmWorld<Subject extends CrmSubject> {
  readonly subject: Subject;
  readonly crm: CrmPort;
  readonly capabilities: CrmSuiteCapabilities;
  readonly time: TimeControl;
  readonly unknownLeadId: string;
  /** Creates a lead (and its contact) with a fresh phone. */
  newLead(input?: { readonly tags?: readonly string[]; readonly name?: string }): Promise<CrmLead>;
  /** `getLead` that fails the test when the lead is missing. */
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
    const crm = options.pace === false ? subject.crm : pacedCrm(subject.crm, createPacer(time, capabilities.requestsPerSecond));
    const unknownLeadId = subject.unknownLeadId ?? String(randomInt(1_000_000_000, 2_000_000_000));

    const newLead: CrmWorld<Subject>['newLead'] = async (input = {}) => {
      const { lead, created } = await crm.upsertLeadByPhone({
        phone: buildPhoneNumber(),
        name: input.name ?? 'Conformance Lead',
        tags: input.tags ?? [],
      });
      expect(created).toBe(true);
      return lead;
    };
    const read = async (leadId: string): Promise<CrmLeadSnapshot> => {
      const lead = await crm.getLead(leadId);
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
    return { subject, crm, capabilities, time, unknownLeadId, newLead, read, stages };
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
