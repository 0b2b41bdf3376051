/**
 * The offline demo model (provider `sandbox`): a deterministic `LanguageModelV3` that needs no
 * key and no network, so the embedded server's demo tenant answers a lead. It reads the persona,
 * the qualification questions and the slots already offered from the system prompt's sections,
 * and the conversation from the prompt, and then:
 * - asked for a person ⇒ `handoff_to_human`;
 * - the lead picks an offered slot (its number or its time) ⇒ `book_meeting` (or
 *   `reschedule_meeting` when a meeting exists);
 * - the lead asks for a meeting ⇒ `find_slots`, then offers up to three of them;
 * - the lead answers the question just asked ⇒ `update_lead`, then the next question;
 * - otherwise it greets and asks the next unanswered question, or proposes a meeting.
 * It speaks Portuguese (the demo tenant's language); tool results it did not expect are answered
 * with an honest apology.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { definePlugin } from '@sdr/core';
import { z } from 'zod';
import { promptSections } from './system-prompt.js';

interface ParsedSystem {
  readonly name: string;
  readonly company: string;
  readonly questions: readonly { readonly field: string; readonly question: string; readonly answered: boolean }[];
  readonly offered: readonly { readonly start: string; readonly label: string }[];
  readonly hasMeeting: boolean;
}

type Decision =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool'; readonly toolName: string; readonly input: Readonly<Record<string, unknown>> };

function sectionLines(system: string, heading: string): string[] {
  const lines = system.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line.trim() !== '');
}

function parseSystem(system: string): ParsedSystem {
  const persona = sectionLines(system, promptSections.persona);
  const valueOf = (key: string) => persona.find((line) => line.startsWith(`${key}: `))?.slice(key.length + 2) ?? '';
  const questions = sectionLines(system, promptSections.questions).flatMap((line) => {
    const match = /^- \[([a-z0-9_]+)\] (.*?)( \(answered: .*\))?$/.exec(line);
    return match === null ? [] : [{ field: match[1] ?? '', question: match[2] ?? '', answered: match[3] !== undefined }];
  });
  const offered = sectionLines(system, promptSections.offered).flatMap((line) => {
    const match = /^\d+\. (\S+) \((.*)\)$/.exec(line);
    return match === null ? [] : [{ start: match[1] ?? '', label: match[2] ?? '' }];
  });
  const meeting = sectionLines(system, promptSections.meeting);
  return {
    name: valueOf('Name'),
    company: valueOf('Company'),
    questions,
    offered,
    hasMeeting: meeting[0] !== undefined && meeting[0] !== 'none',
  };
}

function textOf(
  content: readonly ({ readonly type: 'text'; readonly text: string } | { readonly type: Exclude<string, 'text'> })[],
): string {
  return content.flatMap((part) => ('text' in part ? [part.text] : [])).join(' ');
}

const asksForPerson = /\b(humano|humana|pessoa|atendente|vendedor|vendedora|consultor|human|person|agent)\b/i;
const asksForMeeting = /(agend|reuni|marcar|hor[aá]rio|conversa|meeting|schedule|call)/i;

function pickOffered(text: string, offered: ParsedSystem['offered']): string | null {
  const number = /^\s*(?:op[cç][aã]o\s*)?(\d)\b(?![:h]\d)/i.exec(text);
  if (number !== null) {
    const slot = offered[Number(number[1]) - 1];
    if (slot !== undefined) return slot.start;
  }
  const time = /\b(\d{1,2})\s*(?:[:h]\s*(\d{2})?)/i.exec(text);
  if (time !== null) {
    const wanted = `${(time[1] ?? '').padStart(2, '0')}:${time[2] ?? '00'}`;
    const slot = offered.find((candidate) => candidate.start.slice(11, 16) === wanted);
    if (slot !== undefined) return slot.start;
  }
  return null;
}

function nextQuestion(system: ParsedSystem, justAnswered: ReadonlySet<string>): string | null {
  return system.questions.find((question) => !question.answered && !justAnswered.has(question.field))?.question ?? null;
}

const meetingProposal = 'Quer agendar uma conversa rápida com a nossa equipe? Posso ver os horários livres.';

function afterTool(system: ParsedSystem, prompt: LanguageModelV3Prompt): Decision {
  const last = prompt.at(-1);
  const result = last?.role === 'tool' ? last.content.find((part) => part.type === 'tool-result') : undefined;
  if (result === undefined) return { kind: 'text', text: meetingProposal };
  const output = result.output.type === 'json' ? (result.output.value as Record<string, unknown> | null) : null;
  if (output?.ok !== true) {
    return {
      kind: 'text',
      text: 'Desculpe, não consegui fazer isso agora. Quer que eu veja outros horários ou chame uma pessoa da equipe?',
    };
  }
  switch (result.toolName) {
    case 'find_slots': {
      const slots = (output.slots as { readonly label: string }[] | undefined) ?? [];
      if (slots.length === 0)
        return { kind: 'text', text: 'Não encontrei horários livres nos próximos dias. Quer que eu chame uma pessoa da equipe?' };
      const list = slots.map((slot, index) => `${String(index + 1)}) ${slot.label}`).join('; ');
      return { kind: 'text', text: `Tenho estes horários: ${list}. Qual fica melhor para você?` };
    }
    case 'book_meeting':
    case 'reschedule_meeting': {
      const meeting = output.meeting as { readonly label?: string } | undefined;
      return { kind: 'text', text: `Pronto! Sua reunião ficou marcada para ${meeting?.label ?? 'o horário escolhido'}. Até lá!` };
    }
    case 'handoff_to_human':
      return { kind: 'text', text: 'Certo! Vou chamar uma pessoa da nossa equipe, que continua a conversa com você em breve.' };
    case 'update_lead': {
      const answered = new Set(Object.keys((output.fields as Record<string, unknown> | undefined) ?? {}));
      const question = nextQuestion(system, answered);
      return { kind: 'text', text: question === null ? `Obrigada! ${meetingProposal}` : `Obrigada! ${question}` };
    }
    default:
      return { kind: 'text', text: 'Certo!' };
  }
}

function decide(prompt: LanguageModelV3Prompt): Decision {
  const systemText = prompt.flatMap((message) => (message.role === 'system' ? [message.content] : [])).join('\n');
  const system = parseSystem(systemText);
  const last = prompt.at(-1);
  if (last?.role === 'tool') return afterTool(system, prompt);

  const lastAssistant = prompt.findLastIndex((message) => message.role === 'assistant');
  const userText = prompt
    .slice(lastAssistant + 1)
    .flatMap((message) => (message.role === 'user' ? [textOf(message.content)] : []))
    .join(' ')
    .trim();
  const previous = lastAssistant < 0 ? null : prompt[lastAssistant];
  const previousText = previous?.role === 'assistant' ? textOf(previous.content) : '';

  if (asksForPerson.test(userText)) {
    return { kind: 'tool', toolName: 'handoff_to_human', input: { reason: 'O lead pediu para falar com uma pessoa.' } };
  }
  const picked = system.offered.length === 0 ? null : pickOffered(userText, system.offered);
  if (picked !== null) {
    return { kind: 'tool', toolName: system.hasMeeting ? 'reschedule_meeting' : 'book_meeting', input: { start: picked } };
  }
  if (asksForMeeting.test(userText)) return { kind: 'tool', toolName: 'find_slots', input: {} };

  const asked = system.questions.find((question) => !question.answered && previousText.includes(question.question));
  if (asked !== undefined && userText !== '') {
    return { kind: 'tool', toolName: 'update_lead', input: { fields: { [asked.field]: userText.slice(0, 500) } } };
  }
  const question = nextQuestion(system, new Set());
  const follow = question ?? meetingProposal;
  if (lastAssistant < 0) {
    const who = system.company === '' ? `Eu sou ${system.name}.` : `Eu sou ${system.name}, da ${system.company}.`;
    return { kind: 'text', text: `Olá! ${who} ${follow}` };
  }
  return { kind: 'text', text: follow };
}

const usage: LanguageModelV3Usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

/** The deterministic demo model (see the module comment). */
export class SandboxLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'sandbox';
  readonly modelId = 'sandbox-demo';
  readonly supportedUrls = {};
  private calls = 0;

  private content(options: LanguageModelV3CallOptions): { content: LanguageModelV3Content[]; toolCall: boolean } {
    options.abortSignal?.throwIfAborted();
    this.calls += 1;
    const decision = decide(options.prompt);
    if (decision.kind === 'text') return { content: [{ type: 'text', text: decision.text }], toolCall: false };
    const offered = new Set(options.tools?.map((tool) => tool.name) ?? []);
    if (!offered.has(decision.toolName)) return { content: [{ type: 'text', text: meetingProposal }], toolCall: false };
    return {
      content: [
        {
          type: 'tool-call',
          toolCallId: `sandbox-${String(this.calls)}`,
          toolName: decision.toolName,
          input: JSON.stringify(decision.input),
        },
      ],
      toolCall: true,
    };
  }

  doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { content, toolCall } = this.content(options);
    return Promise.resolve({
      content,
      finishReason: { unified: toolCall ? 'tool-calls' : 'stop', raw: toolCall ? 'tool_calls' : 'stop' },
      usage,
      warnings: [],
    });
  }

  doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const { content, toolCall } = this.content(options);
    const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
    for (const part of content) {
      if (part.type === 'text') {
        parts.push({ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: part.text }, { type: 'text-end', id: 't' });
      } else if (part.type === 'tool-call') {
        parts.push(part);
      }
    }
    parts.push({
      type: 'finish',
      usage,
      finishReason: { unified: toolCall ? 'tool-calls' : 'stop', raw: toolCall ? 'tool_calls' : 'stop' },
    });
    return Promise.resolve({
      stream: new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }),
    });
  }
}

/** The `model` plugin of provider `sandbox`: the offline demo model, no configuration. */
export const sandboxModelPlugin = definePlugin({
  contractVersion: 'v1',
  kind: 'model',
  provider: 'sandbox',
  displayName: 'Offline demo model',
  configSchema: z.strictObject({}),
  create(): LanguageModelV3 {
    return new SandboxLanguageModel();
  },
});
