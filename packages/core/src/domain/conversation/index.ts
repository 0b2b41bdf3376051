export { createConversationService, type ConversationService, type ConversationServiceOptions } from './conversation-service.js';
export type { FindOrCreateLeadInput, FoundLead, LeadContact } from './lead-directory.js';
export type { RecordInboundInput, RecordInboundResult } from './record-inbound.js';
export type { RecordOutboundInput, RecordOutboundResult } from './record-outbound.js';
export type { UpdateLeadInput } from './lead-updates.js';
