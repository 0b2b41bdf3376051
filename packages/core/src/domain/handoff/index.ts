export { buildHandoffNote, handoffNoteKey, type HandoffNote, type HandoffNoteInput } from './handoff-note.js';
export { handoffNoteLabels, handoffNoteLanguage, type HandoffNoteLabels, type HandoffNoteLanguage } from './handoff-note-labels.js';
export {
  createHandoffService,
  type HandoffResult,
  type HandoffService,
  type HandoffServiceOptions,
  type RequestHandoffInput,
} from './handoff-service.js';
