/**
 * A tenant's agent settings (its persona): who the agent is, what it is after, the
 * qualification questions it asks (each one names the lead field its answer fills), its tone
 * and language, the business facts it may state and the limits it keeps. Every field has a
 * default, so `{}` is a working persona.
 */
import { z } from 'zod';

/** A lead-field name a qualification answer is stored under (`budget`, `team_size`). */
export const qualificationFieldSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, { message: 'must be lower-case letters, digits and _ (starting with a letter), at most 64' });

/** One qualification question and the field its answer goes to. */
export const qualificationQuestionSchema = z.strictObject({
  field: qualificationFieldSchema,
  question: z.string().trim().min(1).max(300),
});
/** See `qualificationQuestionSchema`. */
export type QualificationQuestion = z.output<typeof qualificationQuestionSchema>;

const lineSchema = z.string().trim().min(1).max(500);

/** The agent settings of one tenant. */
export const agentSettingsSchema = z.strictObject({
  /** `false`: inbound messages are left to the app's own bot (outgoing webhooks). */
  enabled: z.boolean().default(true),
  /** The name the agent introduces itself with. */
  name: z.string().trim().min(1).max(80).default('Ana'),
  /** The business it speaks for; default: the tenant's name. */
  company: z.string().trim().min(1).max(120).optional(),
  /** What a conversation is for. */
  goal: z.string().trim().min(1).max(500).default('entender a necessidade do lead e agendar uma reunião com a equipe'),
  /** Asked in order, one at a time; answers are stored with `update_lead`. */
  questions: z
    .array(qualificationQuestionSchema)
    .max(20)
    .refine((questions) => new Set(questions.map((question) => question.field)).size === questions.length, {
      message: 'each question must fill a different field',
    })
    .default([]),
  tone: z.string().trim().min(1).max(200).default('cordial, objetivo e breve, como numa conversa de WhatsApp'),
  /** BCP 47 language of the replies; default: the tenant's locale. */
  language: z.string().trim().min(2).max(35).optional(),
  /** Facts about the business the agent may state (prices, address, what is sold). */
  facts: z.array(lineSchema).max(50).default([]),
  /** Things the agent must not do or promise. */
  limits: z.array(lineSchema).max(50).default([]),
});

/** Agent settings as given (every field optional). */
export type AgentSettingsInput = z.input<typeof agentSettingsSchema>;
/** Parsed agent settings, defaults filled in. */
export type AgentSettings = z.output<typeof agentSettingsSchema>;

/** The settings of a tenant that configured none. */
export const defaultAgentSettings: AgentSettings = agentSettingsSchema.parse({});
