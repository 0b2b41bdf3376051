/**
 * Webhook deliveries: PHP-style form bodies with several leads, the secret compared in constant
 * time and the account checked (401 / 403, nothing processed), re-fetched leads turned into stage
 * moves, and a move that echoes the sync's own ignored.
 */
import type { CrmLeadSnapshot } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import {
  isEchoOfSyncedStage,
  kommoWebhookLeadIds,
  parseKommoWebhook,
  parsePhpForm,
  redactKommoWebhookPath,
  stageChangesFrom,
  verifyKommoWebhook,
} from './kommo-webhook.js';
import { buildKommoDelivery } from './testing/index.js';

const secret = 'a-long-webhook-secret-0123';

function snapshot(leadId: string, statusId: string): CrmLeadSnapshot {
  return { leadId, contactId: null, name: null, phone: null, stage: { pipelineId: '7001', statusId }, fields: {}, tags: [], noteKeys: [] };
}

describe('parsing', () => {
  it('reads several leads of a delivery, every kind, as strings', () => {
    const body = buildKommoDelivery({
      accountId: 31337,
      status: [
        { id: 11, statusId: 142, pipelineId: 7001, oldStatusId: 70013 },
        { id: 12, statusId: 70015, pipelineId: 7001, oldStatusId: 70012 },
      ],
      add: [{ id: 13, statusId: 70011, pipelineId: 7001 }],
    });
    const parsed = parseKommoWebhook(body);
    expect(parsed.accountId).toBe('31337');
    expect(parsed.subdomain).toBe('acme');
    expect(parsed.leads).toEqual([
      { kind: 'status', leadId: '11', statusId: '142', pipelineId: '7001', oldStatusId: '70013', oldPipelineId: null },
      { kind: 'status', leadId: '12', statusId: '70015', pipelineId: '7001', oldStatusId: '70012', oldPipelineId: null },
      { kind: 'add', leadId: '13', statusId: '70011', pipelineId: '7001', oldStatusId: null, oldPipelineId: null },
    ]);
    expect(kommoWebhookLeadIds(parsed)).toEqual(['11', '12', '13']);
  });

  it('ignores entries without a numeric id and keys that would reach the prototype', () => {
    const tree = parsePhpForm('__proto__[polluted]=1&leads[status][0][id]=abc&leads[status][1][id]=5&a[]=x&a[]=y');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tree.a).toEqual({ 0: 'x', 1: 'y' });
    expect(parseKommoWebhook('leads[status][0][id]=abc&leads[status][1][id]=5').leads.map((lead) => lead.leadId)).toEqual(['5']);
  });
});

describe('verification', () => {
  it('a wrong secret is 401, another account 403, the right pair passes', () => {
    const delivery = { accountId: '31337' };
    expect(verifyKommoWebhook({ expectedSecret: secret, givenSecret: `${secret}x`, expectedAccountId: 31337, delivery })).toEqual({
      ok: false,
      status: 401,
      reason: 'wrong_secret',
    });
    expect(verifyKommoWebhook({ expectedSecret: secret, givenSecret: secret, expectedAccountId: 1, delivery })).toEqual({
      ok: false,
      status: 403,
      reason: 'wrong_account',
    });
    expect(verifyKommoWebhook({ expectedSecret: secret, givenSecret: secret, expectedAccountId: '31337', delivery })).toEqual({ ok: true });
    expect(verifyKommoWebhook({ expectedSecret: '', givenSecret: '', expectedAccountId: '31337', delivery }).ok).toBe(false);
  });

  it('redacts the secret of the route for logs', () => {
    expect(redactKommoWebhookPath(`/webhooks/kommo/tenant-1/${secret}?x=1`)).toBe('/webhooks/kommo/tenant-1/[redacted]?x=1');
  });
});

describe('stage moves from re-fetched leads', () => {
  it('acts on where the card is now, and ignores one that sits where the sync put it (an echo)', () => {
    const delivery = parseKommoWebhook(
      buildKommoDelivery({
        accountId: 31337,
        status: [
          { id: 21, statusId: 70013, pipelineId: 7001 },
          { id: 22, statusId: 70013, pipelineId: 7001 },
        ],
        update: [{ id: 23 }],
      }),
    );
    const moves = stageChangesFrom({
      delivery,
      // Lead 21 was moved again by a person since the delivery was sent: its current status wins.
      leads: [snapshot('21', '143'), snapshot('22', '70013'), snapshot('23', '70012')],
      lastSyncedStage: (id) => (id === '22' ? { pipelineId: '7001', statusId: '70013' } : null),
    });
    expect(moves).toEqual([{ crmLeadId: '21', pipelineId: '7001', statusId: '143' }]);
    expect(isEchoOfSyncedStage(null, null)).toBe(false);
  });
});
