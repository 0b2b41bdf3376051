/**
 * The words of the handoff note, in the languages the note is written in (pt-BR and en). Dates
 * are spelled out here rather than through `Intl`, whose output changes between ICU versions:
 * the note is deterministic, so its golden files hold on every Node.
 */
import type { Stage } from '../model/lead.js';
import type { LocalParts, Weekday } from '../time/local-time.js';
import type { HandoffRequester } from '../follow-up/follow-up-types.js';

/** Languages the note is written in. */
export type HandoffNoteLanguage = 'pt-BR' | 'en';

/** Everything the note says that is not data. */
export interface HandoffNoteLabels {
  readonly title: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requesters: Readonly<Record<HandoffRequester, string>>;
  readonly sections: {
    readonly lead: string;
    readonly qualification: string;
    readonly meeting: string;
    readonly tags: string;
    readonly messages: string;
    readonly nextStep: string;
  };
  readonly name: string;
  readonly phone: string;
  readonly email: string;
  readonly stage: string;
  readonly optedOut: string;
  readonly yes: string;
  readonly no: string;
  readonly none: string;
  readonly noFields: string;
  readonly noMeeting: string;
  readonly noTags: string;
  readonly noMessages: string;
  readonly leadSays: string;
  readonly agentSays: string;
  readonly attachment: string;
  readonly omitted: (count: number) => string;
  readonly stages: Readonly<Record<Stage, string>>;
  readonly weekdays: Readonly<Record<Weekday, string>>;
  /** `02/03/2026 10:15` or `2026-03-02 10:15`. */
  readonly dateTime: (parts: LocalParts) => string;
  /** `02/03 10:15` or `03-02 10:15`. */
  readonly shortDateTime: (parts: LocalParts) => string;
  readonly nextSteps: {
    readonly optedOut: string;
    readonly leadAsked: string;
    readonly meeting: (when: string) => string;
    readonly fallback: string;
  };
}

const [yearOf, monthOf, dayOf] = [
  (parts: LocalParts) => parts.date.slice(0, 4),
  (parts: LocalParts) => parts.date.slice(5, 7),
  (parts: LocalParts) => parts.date.slice(8, 10),
];

const portuguese: HandoffNoteLabels = {
  title: 'Transferência para atendimento humano',
  reason: 'Motivo',
  requestedBy: 'Solicitado por',
  requesters: { agent: 'agente', lead: 'lead', operator: 'operador' },
  sections: {
    lead: 'Lead',
    qualification: 'Qualificação',
    meeting: 'Reunião agendada',
    tags: 'Etiquetas e objeções',
    messages: 'Últimas mensagens',
    nextStep: 'Próximo passo sugerido',
  },
  name: 'Nome',
  phone: 'Telefone',
  email: 'E-mail',
  stage: 'Etapa',
  optedOut: 'Pediu para não receber mensagens',
  yes: 'sim',
  no: 'não',
  none: '—',
  noFields: '(nenhuma resposta registrada)',
  noMeeting: '(nenhuma reunião agendada)',
  noTags: '(nenhuma)',
  noMessages: '(nenhuma mensagem)',
  leadSays: 'Lead',
  agentSays: 'Agente',
  attachment: 'anexo',
  omitted: (count) => `(+${count} ${count === 1 ? 'mensagem anterior omitida' : 'mensagens anteriores omitidas'})`,
  stages: {
    new: 'Novo',
    qualifying: 'Qualificando',
    meeting_scheduled: 'Reunião agendada',
    not_interested: 'Não interessado',
    human_handoff: 'Atendimento humano',
    won: 'Ganho',
    lost: 'Perdido',
  },
  weekdays: { mon: 'seg', tue: 'ter', wed: 'qua', thu: 'qui', fri: 'sex', sat: 'sáb', sun: 'dom' },
  dateTime: (parts) => `${dayOf(parts)}/${monthOf(parts)}/${yearOf(parts)} ${parts.time}`,
  shortDateTime: (parts) => `${dayOf(parts)}/${monthOf(parts)} ${parts.time}`,
  nextSteps: {
    optedOut: 'Não enviar mensagens: o lead pediu para não ser contatado. Registrar o atendimento apenas se ele voltar a escrever.',
    leadAsked: 'Responder ao lead pessoalmente o quanto antes: ele pediu para falar com uma pessoa.',
    meeting: (when) => `Confirmar a reunião de ${when} com o lead e preparar o atendimento.`,
    fallback: 'Ler a conversa, retomar o contato com o lead e continuar a qualificação.',
  },
};

const english: HandoffNoteLabels = {
  title: 'Handoff to a human',
  reason: 'Reason',
  requestedBy: 'Requested by',
  requesters: { agent: 'agent', lead: 'lead', operator: 'operator' },
  sections: {
    lead: 'Lead',
    qualification: 'Qualification',
    meeting: 'Booked meeting',
    tags: 'Tags and objections',
    messages: 'Latest messages',
    nextStep: 'Suggested next step',
  },
  name: 'Name',
  phone: 'Phone',
  email: 'E-mail',
  stage: 'Stage',
  optedOut: 'Asked not to receive messages',
  yes: 'yes',
  no: 'no',
  none: '—',
  noFields: '(no answers recorded)',
  noMeeting: '(no meeting booked)',
  noTags: '(none)',
  noMessages: '(no messages)',
  leadSays: 'Lead',
  agentSays: 'Agent',
  attachment: 'attachment',
  omitted: (count) => `(+${count} earlier ${count === 1 ? 'message' : 'messages'} left out)`,
  stages: {
    new: 'New',
    qualifying: 'Qualifying',
    meeting_scheduled: 'Meeting scheduled',
    not_interested: 'Not interested',
    human_handoff: 'Human handoff',
    won: 'Won',
    lost: 'Lost',
  },
  weekdays: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  dateTime: (parts) => `${parts.date} ${parts.time}`,
  shortDateTime: (parts) => `${monthOf(parts)}-${dayOf(parts)} ${parts.time}`,
  nextSteps: {
    optedOut: 'Do not send messages: the lead asked not to be contacted. Only answer if they write again.',
    leadAsked: 'Reply to the lead personally, as soon as possible: they asked to talk to a person.',
    meeting: (when) => `Confirm the meeting on ${when} with the lead and prepare for it.`,
    fallback: 'Read the conversation, get back to the lead and continue the qualification.',
  },
};

/** The note's language for a tenant locale: Portuguese for `pt*`, English otherwise. */
export function handoffNoteLanguage(locale: string): HandoffNoteLanguage {
  return locale.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

/** The labels of a language. */
export function handoffNoteLabels(language: HandoffNoteLanguage): HandoffNoteLabels {
  return language === 'pt-BR' ? portuguese : english;
}
