/**
 * A CRM account as the sync treats it: the key its block is kept under, and the block itself (SPEC §4.7, API facts: a Kommo 403 without detail is an IP
 * block — stop and alert). A block is an open `crm_blocked` alert: it survives restarts, so a
 * restarted worker does not hammer the CRM again, and it lasts until an operator resolves it.
 */
import { ProviderError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmPort } from '../../ports/crm/crm-port.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { describeError, emitSafely } from '../dispatch/emit-safely.js';
import { raiseAlert } from '../events/alert-events.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Tenant } from '../model/tenant.js';

/** The kind of the alert that marks a CRM account blocked. */
export const crmBlockedAlertKind = 'crm_blocked';

/** The key of a tenant's CRM account, for its block and logs: `crm:<provider>:<account id, or the tenant id>`. */
export function crmAccountKey(tenant: Pick<Tenant, 'id' | 'crm'>, crm: Pick<CrmPort, 'provider'>): string {
  return `crm:${crm.provider}:${tenant.crm.accountId ?? tenant.id}`;
}

/**
 * A suspected IP block: a 403 that carries no structured detail (a 403 explaining itself, such
 * as a missing permission, is an ordinary permanent failure of that request).
 */
export function isSuspectedBlock(error: unknown): boolean {
  if (!ProviderError.isInstance(error) || error.status !== 403) return false;
  const body = error.body;
  return body === undefined || body === null || typeof body === 'string';
}

/** Whether the tenant's account has an open `crm_blocked` alert. */
export async function isAccountBlocked(store: Pick<Store, 'alerts'>, tenantId: string, account: string): Promise<boolean> {
  const open = await store.alerts.listOpen({ tenantId });
  return open.some((alert) => alert.kind === crmBlockedAlertKind && alert.key === account);
}

/**
 * Marks the account blocked: raises (or refreshes) the critical `crm_blocked` alert, and emits
 * `crm.sync_blocked` — and `alert.raised` when the alert is new. Never throws: a failure to
 * record the block is logged, and the next 403 tries again.
 */
export async function blockAccount(input: {
  readonly store: Pick<Store, 'transaction'>;
  readonly clock: Clock;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
  readonly tenantId: string;
  readonly account: string;
  readonly error: unknown;
}): Promise<void> {
  const { tenantId, account, logger } = input;
  const at = input.clock.now();
  const reason = describeError(input.error);
  const message = `CRM account ${account} answered 403 without detail (suspected IP block): sync stopped until an operator resolves this alert`;
  try {
    await raiseAlert(input, {
      tenantId,
      kind: crmBlockedAlertKind,
      key: account,
      severity: 'critical',
      message,
      details: { account, reason },
      now: at,
    });
    logger.error({ tenantId, account, reason }, 'CRM account blocked: sync stopped');
    emitSafely(input, 'crm.sync_blocked', { tenantId, at, account, reason });
  } catch (error) {
    logger.error({ tenantId, account, error: describeError(error) }, 'could not record the CRM block');
  }
}
