/**
 * Changes the CRM refuses, isolated from the rest of the lead's changes (SPEC §4.7): one tag or
 * field the CRM will not take must not dead-letter the lead's stage moves, names and other tags
 * — today's and every later one.
 *
 * Two ways a part is refused:
 * - **known in advance**: a tag longer than the CRM's declared `maxTagLength` (code points) is
 *   never sent: it leaves the projection the sync writes;
 * - **answered**: a single lead's patch the CRM refuses with a `ValidationError` naming parts of
 *   it (`tagsToAdd.1`, `fields.<id>`, `name`, `stage`, maybe under `patches.<index>.`) is sent
 *   again without them. The synced state then counts them as written, so they are not sent again
 *   until the lead changes them.
 * Either way the refusal is logged and raises the tenant's `crm_change_refused` alert (one per
 * lead), so an operator sees what the CRM does not show.
 */
import { ValidationError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmCapabilities } from '../../ports/crm/crm-port.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { describeError } from '../dispatch/emit-safely.js';
import { raiseAlert } from '../events/alert-events.js';
import type { DomainEvents } from '../events/domain-events.js';
import { codePointLength, maxTagLength } from '../model/lead.js';
import type { CrmStateChange } from './crm-diff.js';
import type { CrmProjection } from './crm-sync-state.js';

/** The kind of the alert a refused change raises (key `lead:<leadId>`). */
export const crmChangeRefusedAlertKind = 'crm_change_refused';

/** One part of a lead's change the CRM refused, and why. */
export interface RefusedCrmPart {
  /** `tag:<tag>`, `field:<id>`, `name` or `stage`. */
  readonly part: string;
  readonly reason: string;
}

/** The projection without the tags the CRM cannot take, and those tags as refused parts. */
export function withinCrmLimits(
  desired: CrmProjection,
  capabilities: Pick<CrmCapabilities, 'maxTagLength'>,
): { readonly desired: CrmProjection; readonly refused: readonly RefusedCrmPart[] } {
  const limit = capabilities.maxTagLength ?? maxTagLength;
  const tooLong = desired.tags.filter((tag) => codePointLength(tag) > limit);
  if (tooLong.length === 0) return { desired, refused: [] };
  return {
    desired: { ...desired, tags: desired.tags.filter((tag) => !tooLong.includes(tag)) },
    refused: tooLong.map((tag) => ({
      part: `tag:${tag}`,
      reason: `${codePointLength(tag)} characters, the CRM takes at most ${limit}`,
    })),
  };
}

const tagPath = /^(?:patches\.\d+\.)?(tagsToAdd|tagsToRemove)\.(\d+)$/;
const fieldPath = /^(?:patches\.\d+\.)?fields\.(.+)$/;
const wholePath = /^(?:patches\.\d+\.)?(name|stage)$/;

/**
 * The parts of `change` a CRM's `ValidationError` names, and `change` without them; `null` when
 * the error is not a validation failure or names anything else (the whole change is refused).
 */
export function refusedParts(
  error: unknown,
  change: CrmStateChange,
): { readonly refused: readonly RefusedCrmPart[]; readonly rest: CrmStateChange } | null {
  if (!ValidationError.isInstance(error) || error.fieldErrors.length === 0) return null;
  const refused: RefusedCrmPart[] = [];
  const dropTags = { tagsToAdd: new Set<string>(), tagsToRemove: new Set<string>() };
  const dropFields = new Set<string>();
  const dropWhole = new Set<'name' | 'stage'>();
  for (const { field, message } of error.fieldErrors) {
    const tag = tagPath.exec(field);
    const fieldId = fieldPath.exec(field)?.[1];
    const whole = wholePath.exec(field)?.[1];
    if (tag !== null) {
      const list = tag[1] === 'tagsToAdd' ? 'tagsToAdd' : 'tagsToRemove';
      const value = change[list]?.[Number(tag[2])];
      if (value === undefined) return null;
      dropTags[list].add(value);
      refused.push({ part: `tag:${value}`, reason: message });
    } else if (fieldId !== undefined && change.fields !== undefined && fieldId in change.fields) {
      dropFields.add(fieldId);
      refused.push({ part: `field:${fieldId}`, reason: message });
    } else if ((whole === 'name' || whole === 'stage') && change[whole] !== undefined) {
      dropWhole.add(whole);
      refused.push({ part: whole, reason: message });
    } else return null;
  }
  const fields = Object.fromEntries(Object.entries(change.fields ?? {}).filter(([id]) => !dropFields.has(id)));
  const tagsToAdd = (change.tagsToAdd ?? []).filter((tag) => !dropTags.tagsToAdd.has(tag));
  const tagsToRemove = (change.tagsToRemove ?? []).filter((tag) => !dropTags.tagsToRemove.has(tag));
  const rest: CrmStateChange = {
    ...(change.name === undefined || dropWhole.has('name') ? {} : { name: change.name }),
    ...(change.stage === undefined || dropWhole.has('stage') ? {} : { stage: change.stage }),
    ...(Object.keys(fields).length === 0 ? {} : { fields }),
    ...(tagsToAdd.length === 0 ? {} : { tagsToAdd }),
    ...(tagsToRemove.length === 0 ? {} : { tagsToRemove }),
  };
  return { refused, rest };
}

/**
 * Reports what the CRM refused of a lead's changes: logs it and raises (or refreshes) the
 * warning `crm_change_refused` alert of the lead, emitting `alert.raised` when it is new. Never
 * throws: a failure to record the alert is logged.
 */
export async function reportRefusedParts(input: {
  readonly store: Pick<Store, 'transaction'>;
  readonly clock: Clock;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
  readonly tenantId: string;
  readonly leadId: string;
  readonly refused: readonly RefusedCrmPart[];
}): Promise<void> {
  const { tenantId, leadId, refused, logger } = input;
  if (refused.length === 0) return;
  const at = input.clock.now();
  const key = `lead:${leadId}`;
  const parts = refused.map((item) => `${item.part} (${item.reason})`).join('; ');
  const message = `the CRM refused part of lead ${leadId}'s changes, which was left out: ${parts}`.slice(0, 1000);
  logger.warn({ tenantId, leadId, refused }, 'the CRM refused part of a lead change: the rest was synced');
  try {
    await raiseAlert(input, {
      tenantId,
      kind: crmChangeRefusedAlertKind,
      key,
      severity: 'warning',
      message,
      details: { leadId, refused: refused.map((item) => ({ part: item.part, reason: item.reason })) },
      now: at,
    });
  } catch (error) {
    logger.error({ tenantId, leadId, error: describeError(error) }, 'could not raise the alert of a refused CRM change');
  }
}
