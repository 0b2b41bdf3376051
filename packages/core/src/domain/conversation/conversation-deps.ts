/** What the conversation-ingestion functions work with; `createConversationService` builds it. */
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { FollowUpService } from '../follow-up/follow-up-service.js';

/** Dependencies of the conversation-ingestion functions. */
export interface ConversationDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Runs the follow-up rules in the same unit of work as the message that triggers them. */
  readonly followUp: FollowUpService;
  readonly events?: DomainEvents | undefined;
  readonly logger: Logger;
  /** New entity ids (UUIDs). */
  readonly newId: () => string;
}
