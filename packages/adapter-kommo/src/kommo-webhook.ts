/**
 * Kommo's webhooks, for the server's route `POST /webhooks/kommo/{tenantId}/{secret}`. Kommo signs
 * nothing: a delivery proves itself by the secret in its URL (compared in constant time) and by
 * `account[id]`, which must be the tenant's account. Bodies are form-encoded with PHP-style keys
 * (`leads[status][0][id]`, `account[subdomain]`), several leads per request, numbers as strings,
 * legacy v2 field names included (`last_modified`).
 *
 * A delivery is a hint, not the truth: the route re-fetches each lead named through the API
 * (`kommoWebhookLeadIds` ⇒ `CrmPort.getLeads`) and acts on where the card **is**
 * (`stageChangesFrom`), ignoring a move that only echoes the sync's own (`isEchoOfSyncedStage`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CrmLeadSnapshot, CrmStageRef } from '@sdr/core';

/** A lead event of a delivery. */
export interface KommoWebhookLeadEvent {
  /** Which list of the delivery it came from. */
  readonly kind: 'status' | 'add' | 'update' | 'delete' | 'responsible';
  readonly leadId: string;
  readonly statusId: string | null;
  readonly pipelineId: string | null;
  readonly oldStatusId: string | null;
  readonly oldPipelineId: string | null;
}

/** A parsed delivery. */
export interface ParsedKommoWebhook {
  readonly accountId: string | null;
  readonly subdomain: string | null;
  readonly leads: readonly KommoWebhookLeadEvent[];
}

/** Why a delivery was refused, and the status the route answers. */
export type KommoWebhookVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401; readonly reason: 'wrong_secret' }
  | { readonly ok: false; readonly status: 403; readonly reason: 'wrong_account' };

const maxKeys = 5_000;
const maxDepth = 6;
const leadKinds = ['status', 'add', 'update', 'delete', 'responsible'] as const;

/** A form body as nested PHP-style keys (`leads[status][0][id]`): each value a string or a deeper tree. */
export type PhpFormTree = { [key: string]: PhpFormTree | string };

/**
 * Parses a form-encoded PHP-style body into a tree (`a[b][0][c]=1` ⇒ `{ a: { b: { 0: { c: '1' } } } }`).
 * Bounded: at most 5 000 keys and 6 levels; `__proto__` and friends are dropped.
 */
export function parsePhpForm(body: string | URLSearchParams): PhpFormTree {
  const form = typeof body === 'string' ? new URLSearchParams(body) : body;
  const root: PhpFormTree = Object.create(null) as PhpFormTree;
  let count = 0;
  for (const [rawKey, value] of form) {
    count += 1;
    if (count > maxKeys) break;
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (match === null) continue;
    const path = [match[1] ?? '', ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((part) => part[1] ?? '')];
    if (path.length > maxDepth || path.some((part) => part === '__proto__' || part === 'constructor' || part === 'prototype')) continue;
    let node = root;
    path.forEach((part, index) => {
      const key = part === '' ? String(Object.keys(node).length) : part;
      if (index === path.length - 1) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (typeof next === 'object') {
        node = next;
      } else {
        const created: PhpFormTree = Object.create(null) as PhpFormTree;
        node[key] = created;
        node = created;
      }
    });
  }
  return root;
}

function text(node: PhpFormTree | string | undefined): string | null {
  return typeof node === 'string' && node.trim() !== '' ? node.trim() : null;
}

function child(node: PhpFormTree | string | undefined, key: string): PhpFormTree | string | undefined {
  return typeof node === 'object' ? node[key] : undefined;
}

/** The typed events of a delivery; entries without a numeric lead id are skipped. */
export function parseKommoWebhook(body: string | URLSearchParams): ParsedKommoWebhook {
  const tree = parsePhpForm(body);
  const leads: KommoWebhookLeadEvent[] = [];
  for (const kind of leadKinds) {
    const list = child(tree.leads, kind);
    if (typeof list !== 'object') continue;
    for (const entry of Object.values(list)) {
      const leadId = text(child(entry, 'id'));
      if (leadId === null || !/^\d+$/.test(leadId)) continue;
      leads.push({
        kind,
        leadId,
        statusId: text(child(entry, 'status_id')),
        pipelineId: text(child(entry, 'pipeline_id')),
        oldStatusId: text(child(entry, 'old_status_id')),
        oldPipelineId: text(child(entry, 'old_pipeline_id')),
      });
    }
  }
  return { accountId: text(child(tree.account, 'id')), subdomain: text(child(tree.account, 'subdomain')), leads };
}

/**
 * Checks a delivery: the secret of its URL against the tenant's (constant time, over SHA-256
 * digests so that lengths do not leak either), then its `account[id]` against the tenant's
 * account. The route answers the status given and processes nothing of a refused delivery.
 */
export function verifyKommoWebhook(input: {
  readonly expectedSecret: string;
  readonly givenSecret: string;
  readonly expectedAccountId: string | number;
  readonly delivery: Pick<ParsedKommoWebhook, 'accountId'>;
}): KommoWebhookVerification {
  const expected = createHash('sha256').update(input.expectedSecret).digest();
  const given = createHash('sha256').update(input.givenSecret).digest();
  if (input.expectedSecret === '' || !timingSafeEqual(expected, given)) return { ok: false, status: 401, reason: 'wrong_secret' };
  if (input.delivery.accountId !== String(input.expectedAccountId)) return { ok: false, status: 403, reason: 'wrong_account' };
  return { ok: true };
}

/** The lead ids a delivery names, each once: what the route re-fetches before acting. */
export function kommoWebhookLeadIds(delivery: ParsedKommoWebhook): string[] {
  return [...new Set(delivery.leads.filter((event) => event.kind !== 'delete').map((event) => event.leadId))];
}

/** Whether a card's status is where the sync last put it: a webhook about it echoes our own move. */
export function isEchoOfSyncedStage(current: CrmStageRef | null, lastSynced: CrmStageRef | null | undefined): boolean {
  if (current === null || lastSynced === null || lastSynced === undefined) return false;
  return current.pipelineId === lastSynced.pipelineId && current.statusId === lastSynced.statusId;
}

/**
 * The stage moves to apply, from the re-fetched leads: one per lead whose delivery reported a
 * status change (or that was added) and whose card now sits somewhere else than the sync left it.
 * `lastSyncedStage` answers where the sync last put a CRM lead (`null` when unknown).
 */
export function stageChangesFrom(input: {
  readonly delivery: ParsedKommoWebhook;
  readonly leads: readonly CrmLeadSnapshot[];
  readonly lastSyncedStage: (crmLeadId: string) => CrmStageRef | null | undefined;
}): { readonly crmLeadId: string; readonly pipelineId: string; readonly statusId: string }[] {
  const moved = new Set(
    input.delivery.leads.filter((event) => event.kind === 'status' || event.kind === 'add').map((event) => event.leadId),
  );
  return input.leads.flatMap((lead) => {
    if (!moved.has(lead.leadId) || lead.stage === null) return [];
    if (isEchoOfSyncedStage(lead.stage, input.lastSyncedStage(lead.leadId))) return [];
    return [{ crmLeadId: lead.leadId, pipelineId: lead.stage.pipelineId, statusId: lead.stage.statusId }];
  });
}

/** The route with its secret redacted, for request logs and metric labels. */
export function redactKommoWebhookPath(path: string): string {
  return path.replace(/^(\/webhooks\/kommo\/[^/]+\/)[^/?#]+/, '$1[redacted]');
}
