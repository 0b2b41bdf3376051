/**
 * Which variables each message kind can fill, and the built-in templates used when a tenant
 * has not saved its own (per kind and locale, pt-BR and en).
 */
import type { ScheduledKind } from '../model/scheduled-message.js';

/** Variables a re-engagement can use. */
export const reengagementVariables = ['leadName', 'businessName'] as const;
/** Variables a meeting reminder can use (date/time rendered in the tenant's zone and locale). */
export const reminderVariables = ['leadName', 'businessName', 'meetingDate', 'meetingTime', 'meetingDateTime'] as const;
/** Variables a billing message can use (amount in the tenant's locale and the cycle's currency). */
export const billingVariables = ['customerName', 'businessName', 'amount', 'dueDate', 'externalBillingId'] as const;

/** The variables a template of `kind` may reference. */
export function allowedVariablesFor(kind: ScheduledKind): readonly string[] {
  switch (kind) {
    case 'reengage_1':
    case 'reengage_2':
    case 'give_up':
      return reengagementVariables;
    case 'reminder_24h':
    case 'reminder_2h':
      return reminderVariables;
    case 'billing_step':
      return billingVariables;
  }
}

export interface BuiltinTemplate {
  readonly body: string;
  readonly variables: readonly string[];
}

/** Built-in templates by key, then locale. */
export type TemplateCatalog = Readonly<Record<string, Readonly<Record<string, BuiltinTemplate>>>>;

/** Built-in bodies, by template key then locale. Tenants override them by saving a template. */
export const builtinTemplates: TemplateCatalog = {
  reengage_1: {
    'pt-BR': { body: 'Oi {{leadName}}, tudo bem? Ficou alguma dúvida sobre o que conversamos? Estou por aqui.', variables: ['leadName'] },
    en: {
      body: 'Hi {{leadName}}, is everything alright? Any questions about what we talked about? I am here to help.',
      variables: ['leadName'],
    },
  },
  reengage_2: {
    'pt-BR': {
      body: '{{leadName}}, passando para saber se ainda faz sentido conversarmos. Posso ajudar em algo?',
      variables: ['leadName'],
    },
    en: { body: '{{leadName}}, checking in to see if it still makes sense to talk. Can I help with anything?', variables: ['leadName'] },
  },
  // Reminders name the date as well as the time: quiet hours may move a reminder to the evening
  // before, and the offsets are configurable, so "tomorrow" or "today" could be wrong.
  reminder_24h: {
    'pt-BR': {
      body: 'Oi {{leadName}}! Lembrete da nossa reunião em {{meetingDate}}, às {{meetingTime}}. Até lá!',
      variables: ['leadName', 'meetingDate', 'meetingTime'],
    },
    en: {
      body: 'Hi {{leadName}}! A reminder of our meeting on {{meetingDate}} at {{meetingTime}}. See you then!',
      variables: ['leadName', 'meetingDate', 'meetingTime'],
    },
  },
  reminder_2h: {
    'pt-BR': {
      body: '{{leadName}}, nossa reunião começa em breve: {{meetingDate}}, às {{meetingTime}}. Até já!',
      variables: ['leadName', 'meetingDate', 'meetingTime'],
    },
    en: {
      body: '{{leadName}}, our meeting starts soon: {{meetingDate}} at {{meetingTime}}. See you shortly!',
      variables: ['leadName', 'meetingDate', 'meetingTime'],
    },
  },
  billing_step: {
    'pt-BR': {
      body: 'Olá {{customerName}}, lembrete: sua fatura de {{amount}} vence em {{dueDate}}.',
      variables: ['customerName', 'amount', 'dueDate'],
    },
    en: {
      body: 'Hello {{customerName}}, a reminder: your invoice of {{amount}} is due on {{dueDate}}.',
      variables: ['customerName', 'amount', 'dueDate'],
    },
  },
};
