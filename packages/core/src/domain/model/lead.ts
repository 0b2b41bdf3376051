/** Leads (SPEC §3) and their stage and automation state (SPEC §4.1). */
import { z } from 'zod';
import { PhoneNumber } from '../identity/phone-number.js';
import { fieldValueSchema, idSchema, instantSchema, nameSchema } from './common.js';

/** Domain stages; each tenant maps them to CRM pipeline statuses. */
export const stages = ['new', 'qualifying', 'meeting_scheduled', 'not_interested', 'human_handoff', 'won', 'lost'] as const;
export const stageSchema = z.enum(stages);
export type Stage = z.infer<typeof stageSchema>;

/** `active`: the agent runs follow-ups. `paused_handoff`: a human took over. `stopped`: no more automation. */
export const automationStates = ['active', 'paused_handoff', 'stopped'] as const;
export const automationStateSchema = z.enum(automationStates);
export type AutomationState = z.infer<typeof automationStateSchema>;

/** A stored E.164 number, rebuilt into the `PhoneNumber` value object. */
export const e164PhoneSchema = z
  .union([z.custom<PhoneNumber>((value) => value instanceof PhoneNumber, { message: 'must be a phone number' }), z.string()])
  .transform((value, context) => {
    if (value instanceof PhoneNumber) return value;
    const phone = PhoneNumber.tryParse(value);
    if (!phone || !value.startsWith('+')) {
      context.addIssue({ code: 'custom', message: 'must be a valid phone number in E.164 form, such as +5511987654321' });
      return z.NEVER;
    }
    return phone;
  });

export const emailSchema = z.email({ message: 'must be an e-mail address' }).max(254);

/** Qualification answers: field name ⇒ value (bounded). */
export const leadFieldsSchema = z
  .record(z.string().min(1).max(100), fieldValueSchema)
  .refine((fields) => Object.keys(fields).length <= 100, { message: 'must have at most 100 fields' });

/**
 * The longest tag, in Unicode code points — the unit zod's `max` counts, and the unit CRMs
 * declare in `CrmCapabilities.maxTagLength` (an emoji is one code point, two UTF-16 units).
 */
export const maxTagLength = 100;

export const tagSchema = z.string().trim().min(1).max(maxTagLength);

/** The length of `text` in Unicode code points: the unit every text limit of the domain is counted in. */
export function codePointLength(text: string): number {
  return Array.from(text).length;
}

export const leadSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  phone: e164PhoneSchema,
  /** WhatsApp `@lid` alias of this lead, when the channel hid the number. */
  whatsappLid: z.string().max(64).nullable(),
  name: nameSchema.nullable(),
  email: emailSchema.nullable(),
  stage: stageSchema,
  fields: leadFieldsSchema,
  tags: z.array(tagSchema).max(100),
  automation: automationStateSchema,
  optedOut: z.boolean(),
  optedOutAt: instantSchema.nullable(),
  lastInboundAt: instantSchema.nullable(),
  lastOutboundAt: instantSchema.nullable(),
  crmLeadId: z.string().max(64).nullable(),
  crmContactId: z.string().max(64).nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  /** Optimistic-locking version, incremented by every update. */
  version: z.number().int().nonnegative(),
});
export type Lead = z.output<typeof leadSchema>;

/** What identifies a new lead; everything else starts at its default. */
export interface NewLeadInput {
  readonly id: string;
  readonly tenantId: string;
  readonly phone: PhoneNumber;
  readonly now: Date;
  readonly whatsappLid?: string | null;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly stage?: Stage;
}

/**
 * A lead as it is first written: stage `new`, automation active, not opted out, no fields, tags,
 * contact times or CRM links, version 0. The one place those defaults live.
 */
export function newLead(input: NewLeadInput): Lead {
  return {
    id: input.id,
    tenantId: input.tenantId,
    phone: input.phone,
    whatsappLid: input.whatsappLid ?? null,
    name: input.name ?? null,
    email: input.email ?? null,
    stage: input.stage ?? 'new',
    fields: {},
    tags: [],
    automation: 'active',
    optedOut: false,
    optedOutAt: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    crmLeadId: null,
    crmContactId: null,
    createdAt: input.now,
    updatedAt: input.now,
    version: 0,
  };
}

/** Automation may run re-engagements for this lead. */
export function isUnderAutomation(lead: Pick<Lead, 'automation' | 'optedOut'>): boolean {
  return lead.automation === 'active' && !lead.optedOut;
}

/** Stages a human can move a lead to that end automation (SPEC §4.1). */
export const automationStoppingStages: ReadonlySet<Stage> = new Set<Stage>(['won', 'lost', 'human_handoff']);
